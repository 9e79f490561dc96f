// The admin password of the engines tests start (the built-in engine's own tests and the full test stack alike).
export const ENGINE_PASSWORD = 'engine-test-password';
