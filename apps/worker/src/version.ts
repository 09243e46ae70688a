/** The worker agent's version, sent to the pool on registration and Connect. */
export const AGENT_VERSION = '0.1.0';
