/**
 * A deterministic tar writer for image layers: POSIX ustar headers, with a PAX extended
 * header (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html) for names or
 * link targets that do not fit. Entries are written in the order given (callers sort them),
 * owners are numeric only (no user or group names, which would depend on the build machine),
 * and every entry carries the same modification time: the same files give the same bytes,
 * hence the same layer digest, on every machine.
 */

export type TarEntry =
  | {
      readonly type: "file";
      readonly path: string;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly data: Buffer;
    }
  | {
      readonly type: "dir";
      readonly path: string;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
    }
  | {
      readonly type: "symlink";
      readonly path: string;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly target: string;
    };

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as GNU tar and Go's archive/tar write them.
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(fields: {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: string;
  linkname: string;
}): Buffer {
  const block = Buffer.alloc(BLOCK);
  const put = (text: string, offset: number, width: number) => {
    block.write(text, offset, Math.min(Buffer.byteLength(text), width), "utf8");
  };
  put(fields.name, 0, 100);
  put(octal(fields.mode, 8), 100, 8);
  put(octal(fields.uid, 8), 108, 8);
  put(octal(fields.gid, 8), 116, 8);
  put(octal(fields.size, 12), 124, 12);
  put(octal(fields.mtime, 12), 136, 12);
  put("        ", 148, 8); // the checksum is computed with its own field as blanks
  put(fields.type, 156, 1);
  put(fields.linkname, 157, 100);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return block;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** One PAX record: "LEN key=value\n", where LEN counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const size = Buffer.byteLength(body);
  let length = size + String(size).length;
  // Adding the length's own digits can add a digit to it (e.g. 98 + 2 = 100): settle it.
  while (size + String(length).length !== length) length = size + String(length).length;
  return `${length}${body}`;
}

function fits(text: string): boolean {
  return Buffer.byteLength(text) <= 100 && /^[\x20-\x7e]*$/.test(text);
}

/** The bytes of a tar archive holding `entries`, all with modification time `mtime`. */
export function writeTar(entries: Iterable<TarEntry>, mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const name = entry.type === "dir" ? `${entry.path}/` : entry.path;
    const linkname = entry.type === "symlink" ? entry.target : "";
    const pax: string[] = [];
    if (!fits(name)) pax.push(paxRecord("path", name));
    if (!fits(linkname)) pax.push(paxRecord("linkpath", linkname));
    if (pax.length > 0) {
      const data = Buffer.from(pax.join(""), "utf8");
      const paxName = `PaxHeaders/${name.slice(0, 80).replace(/[^\x20-\x7e]/g, "_")}`;
      parts.push(
        header({
          name: paxName,
          mode: 0o644,
          uid: 0,
          gid: 0,
          size: data.length,
          mtime,
          type: "x",
          linkname: "",
        }),
      );
      parts.push(data, padding(data.length));
    }
    const size = entry.type === "file" ? entry.data.length : 0;
    const type = entry.type === "file" ? "0" : entry.type === "dir" ? "5" : "2";
    parts.push(
      header({
        name: fits(name) ? name : name.slice(0, 99).replace(/[^\x20-\x7e]/g, "_"),
        mode: entry.mode & 0o7777,
        uid: entry.uid,
        gid: entry.gid,
        size,
        mtime,
        type,
        linkname: fits(linkname) ? linkname : "",
      }),
    );
    if (entry.type === "file") parts.push(entry.data, padding(size));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
