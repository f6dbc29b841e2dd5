/**
 * Plain scalars where YAML 1.1, YAML 1.2 and go-yaml disagree (booleans, octals, hex,
 * underscores, sexagesimals, special floats, dates, binary), for the readers' property tests.
 */
export const YAML11_SCALARS = [
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "n",
  "~",
  "null",
  "true",
  "0777",
  "0x1F",
  "1_000",
  "1:20",
  ".5",
  "+.inf",
  ".NaN",
  "2001-12-14",
  "1e3",
  "-0b101",
] as const;
