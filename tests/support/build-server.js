// Jest global setup: the end-to-end tests run the built server, so build it first.
const { execFileSync } = require('node:child_process');

module.exports = function buildServer() {
  execFileSync('npm', ['run', '--silent', 'build'], {
    stdio: 'inherit',
    cwd: `${__dirname}/../..`,
  });
};
