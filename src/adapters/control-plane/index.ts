export { type ControlPlaneClient, errorText, sleep } from "./client.js";
