// Moved to src/sandbox (the local sandbox and the tests share one Slack emulation).
export * from '../../src/sandbox/fake-slack.js';
