const { writeSync } = require('node:fs');

// Ends every test run with one plain line, `jest: N passed, N failed`, that CI and people can read.
// Jest prints its own summary after all reporters, so the line is written as the process exits,
// straight to file descriptor 2: a forced exit has replaced the streams' write with a no-op by then.
class CountReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${tail}\n`;
    process.once('exit', () => writeSync(2, line));
  }
}
module.exports = CountReporter;
