'use strict';
// Preloaded into function processes by the benchmarks (`NODE_OPTIONS=--require <this file>`, with
// BENCH_PROFILE_FUNCTIONS=DIR): Node refuses --cpu-prof in NODE_OPTIONS, so the process profiles itself
// through the inspector and writes DIR/function-<pid>.cpuprofile when it exits (as on its IPC channel closing).
const { Session } = require('inspector');
const { writeFileSync } = require('fs');
const { join } = require('path');

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 250 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // An in-thread session answers synchronously, so the profile is complete before the process ends.
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `function-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
