export {
  type AgentMetrics,
  type AgentOptions,
  type AgentWebhook,
  type AgentWebhookHooks,
  type RunningAgent,
  startAgent,
} from "./run.js";
