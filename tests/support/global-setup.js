// Jest global setup: the end-to-end tests run the built server, so build it first; and say
// plainly what this run cannot test.
const { execFileSync } = require('node:child_process');

module.exports = function globalSetup() {
  execFileSync('npm', ['run', '--silent', 'build'], {
    stdio: 'inherit',
    cwd: `${__dirname}/../..`,
  });
  if (!process.env.EVENTSTORE_TEST_URL) {
    console.warn(
      '\nEventStoreDB contract suite skipped: set EVENTSTORE_TEST_URL (e.g. esdb://localhost:2113?tls=false) to run it against a real server',
    );
  }
};
