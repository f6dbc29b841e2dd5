export { type ControlPlaneClient, errorText, type Sleep, sleep } from "./client.js";
