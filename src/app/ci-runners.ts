import { type CiRunner, runManifestsCheck } from "./ci.js";

/** The checks of `customs ci`, in the order they run and report. */
export const CI_RUNNERS: readonly CiRunner[] = [runManifestsCheck];
