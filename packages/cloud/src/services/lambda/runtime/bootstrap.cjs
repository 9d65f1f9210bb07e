'use strict';
// The first code a function's process runs, under the function's own Node.js (18 to 24): plain CommonJS with
// no dependencies. It plays the part of Lambda's Node.js runtime interface client: loads the handler named by
// _HANDLER from LAMBDA_TASK_ROOT, then runs one invocation at a time as the cloud sends them over the IPC
// channel, and answers each with the handler's result or Lambda's error object.
//
// Messages from the cloud: { type: 'invoke', requestId, event, deadlineMs, invokedFunctionArn, clientContext,
// identity, traceId }. Messages to the cloud: { type: 'ready' } or { type: 'init-error', error } once, then
// { type: 'result', requestId, payload } or { type: 'error', requestId, error } per invocation. Each answer
// carries how many bytes the process has written so far through process.stdout and process.stderr, so that
// the cloud knows when it has every line the invocation printed before it closes the invocation's log (IPC
// and the pipes are read independently) without another write and wake-up per invocation.

const fs = require('fs');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

const MAX_RESPONSE_BYTES = 6291556;
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');

// Lambda's text log format: `<ISO time>\t<request id>\t<LEVEL>\t<message>`, one line per call, with the
// message's own newlines turned into carriage returns so that a multi-line message stays one log event.
// Bytes written so far through process.stdout and process.stderr (console included), sent with each answer.
const written = { stdout: 0, stderr: 0 };
function countWrites(stream, key) {
  const write = stream.write;
  stream.write = function (chunk, encoding) {
    if (typeof chunk === 'string') written[key] += Buffer.byteLength(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
    else if (chunk && typeof chunk.byteLength === 'number') written[key] += chunk.byteLength;
    return write.apply(this, arguments);
  };
}
countWrites(process.stdout, 'stdout');
countWrites(process.stderr, 'stderr');

// On Lambda each execution environment has its ports to itself: Amplify's Express template calls
// app.listen(3000) at load, harmless there. Here function processes share the host's ports, so a second warm
// process (or another function) would fail with EADDRINUSE: a listen on a fixed TCP port gets a free one instead.
// Unix sockets (aws-serverless-express's own server), handles and port 0 are left as they are.
function isolatePorts() {
  const net = require('net');
  const listen = net.Server.prototype.listen;
  const fixedPort = (port) => (typeof port === 'number' || (typeof port === 'string' && /^[0-9]+$/.test(port))) && Number(port) > 0;
  net.Server.prototype.listen = function (...args) {
    const first = args[0];
    if (fixedPort(first)) args[0] = 0;
    else if (first && typeof first === 'object' && first.path === undefined && fixedPort(first.port)) args[0] = { ...first, port: 0 };
    return listen.apply(this, args);
  };
}
isolatePorts();

function patchConsole() {
  const write =
    (level) =>
    (message, ...params) => {
      const line = `${new Date().toISOString()}\t${globalThis[REQUEST_ID]}\t${level}\t${util.format(message, ...params)}`;
      process.stdout.write(line.replace(/\n/g, '\r') + '\n');
    };
  console.trace = write('TRACE');
  console.debug = write('DEBUG');
  console.info = write('INFO');
  console.log = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.fatal = write('FATAL');
}

function defineRuntimeError(name) {
  const E = class extends Error {};
  E.prototype.name = `Runtime.${name}`;
  return E;
}
const ImportModuleError = defineRuntimeError('ImportModuleError');
const HandlerNotFound = defineRuntimeError('HandlerNotFound');
const MalformedHandlerName = defineRuntimeError('MalformedHandlerName');
const UserCodeSyntaxError = defineRuntimeError('UserCodeSyntaxError');
const UnhandledPromiseRejection = defineRuntimeError('UnhandledPromiseRejection');
const CallbackHandlerDeprecated = defineRuntimeError('CallbackHandlerDeprecated');

function isErrorLike(e) {
  return e && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string';
}

// The error object Lambda answers for a failed invocation.
function toErrorPayload(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function formatted(error) {
  try {
    return (
      '\t' +
      JSON.stringify(error, (_k, v) =>
        v instanceof Error
          ? Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v, typeof v.stack === 'string' ? { stack: v.stack.split('\n') } : {})
          : v,
      )
    );
  } catch {
    return '\t' + JSON.stringify(toErrorPayload(error));
  }
}

function hasTypeModule(folder) {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (dir.endsWith(`${path.sep}node_modules`)) return false;
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

// Resolves `dir/file.export.path` as Lambda's runtime does: the module is tried extensionless, then `.js`
// (CommonJS unless the nearest package.json says "type": "module"), `.mjs` and `.cjs`.
async function loadHandler(taskRoot, handlerString) {
  if (handlerString.includes('..')) {
    throw new MalformedHandlerName(`'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const base = path.basename(handlerString);
  const moduleRoot = handlerString.substring(0, handlerString.indexOf(base));
  const match = base.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, exportPath] = match;
  const file = path.resolve(taskRoot, moduleRoot, moduleName);
  let app;
  try {
    app = await loadModule(taskRoot, moduleRoot, moduleName, file);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(String(e));
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) throw new ImportModuleError(String(e));
    throw e;
  }
  const handler = exportPath.split('.').reduce((o, key) => o && o[key], app);
  if (!handler) throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${handlerString} is not a function`);
  return handler;
}

async function loadModule(taskRoot, moduleRoot, moduleName, file) {
  const exists = (f) => fs.existsSync(f) && fs.statSync(f).isFile();
  if (exists(file)) return require(file);
  const typeModule = exists(file + '.js') && hasTypeModule(path.dirname(file + '.js'));
  if (exists(file + '.js') && !typeModule) return require(file + '.js');
  if (typeModule || (!exists(file + '.js') && exists(file + '.mjs'))) {
    // Only ES modules need the hook (a worker thread: memory a CommonJS function does not spend).
    registerNodePathForImports();
    return import(pathToFileURL(file + (typeModule ? '.js' : '.mjs')).href);
  }
  if (exists(file + '.cjs')) return require(file + '.cjs');
  return require(require.resolve(moduleName, { paths: [taskRoot, path.resolve(taskRoot, moduleRoot)] }));
}

// The process's peak memory for REPORT's Max Memory Used. getrusage is a system call (30-50 µs on a busy virtual
// machine: a quarter of an empty function's work when made for every invocation), and ru_maxrss is a
// high-water mark, so it is read at most once per interval: a short invocation reports the peak as of at most
// that long ago. The cloud reads the process's memory itself while an invocation runs longer than that.
const RSS_READ_INTERVAL_MS = 100;
const rss = { kb: 0, readAt: -Infinity };
function maxRssKb() {
  const now = Date.now();
  if (now - rss.readAt >= RSS_READ_INTERVAL_MS && typeof process.resourceUsage === 'function') {
    rss.kb = process.resourceUsage().maxRSS;
    rss.readAt = now;
  }
  return rss.kb;
}

function send(message) {
  message.stdoutBytes = written.stdout;
  message.stderrBytes = written.stderr;
  return new Promise((resolve) => process.send(message, () => resolve()));
}

let current; // the invocation in progress: { requestId, finished, unrefd }

function finish(message) {
  const invocation = current;
  if (!invocation || invocation.finished) return;
  invocation.finished = true;
  if (invocation.unrefd) process.channel.ref();
  message.maxRssKb = maxRssKb();
  message.stdoutBytes = written.stdout;
  message.stderrBytes = written.stderr;
  // Once the answer is handed to the channel the invocation is over, unless the next one already began (the
  // cloud may send it as soon as it has this answer, before this callback runs).
  process.send(message, () => {
    if (current !== invocation) return;
    current = undefined;
    globalThis[REQUEST_ID] = undefined;
  });
}

function succeed(requestId, result) {
  let body;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch {
    // As Lambda's runtime client: a result JSON cannot represent (circular, BigInt) fails the invocation.
    return fail(requestId, new Error('Unable to stringify response body'));
  }
  if (Buffer.byteLength(body) > MAX_RESPONSE_BYTES) {
    const error = {
      errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      errorType: 'Function.ResponseSizeTooLarge',
    };
    return finish({ type: 'error', requestId, error });
  }
  finish({ type: 'result', requestId, payload: body });
}

function fail(requestId, error) {
  console.error('Invoke Error', formatted(error));
  finish({ type: 'error', requestId, error: toErrorPayload(error) });
}

// callbackWaitsForEmptyEventLoop (true by default): a callback's result is answered once nothing else is
// pending in the process, as Lambda's runtime does with 'beforeExit'. The IPC channel would keep the event
// loop alive forever, so it is unref'd while waiting; 'beforeExit' then fires when only it remains.
let onEmptyLoop;
process.on('beforeExit', () => {
  const run = onEmptyLoop;
  onEmptyLoop = undefined;
  if (run) setImmediate(run);
  else process.channel.ref();
});

// The context's values from Lambda's variables, read once the handler is loaded: each read of process.env
// is a lookup in the C++ environment and a new string, five per invocation otherwise.
let lambdaEnvironment;
function readLambdaEnvironment() {
  const env = process.env;
  lambdaEnvironment = {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
}

function invoke(handler, message) {
  const { requestId } = message;
  globalThis[REQUEST_ID] = requestId;
  // Lambda's X-Ray trace header, a new one per invocation (the AWS SDK passes it on in X-Amzn-Trace-Id).
  if (message.traceId) process.env._X_AMZN_TRACE_ID = message.traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  const invocation = { requestId, finished: false, unrefd: false };
  current = invocation;
  let waitForEmptyEventLoop = true;
  let completed = false;
  const once =
    (fn) =>
    (...args) => {
      if (completed) return;
      completed = true;
      onEmptyLoop = undefined;
      fn(...args);
    };
  const done = once((err, result) => (err !== undefined && err !== null ? fail(requestId, err) : succeed(requestId, result)));
  const callback = once((err, result) => {
    if (err !== undefined && err !== null) return fail(requestId, err);
    if (!waitForEmptyEventLoop) return succeed(requestId, result);
    onEmptyLoop = () => succeed(requestId, result);
    invocation.unrefd = true;
    process.channel.unref();
  });
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: (result) => done(null, result),
    fail: (err) => done(err === undefined || err === null ? 'handled' : err, null),
    done,
    functionVersion: lambdaEnvironment.functionVersion,
    functionName: lambdaEnvironment.functionName,
    memoryLimitInMB: lambdaEnvironment.memoryLimitInMB,
    logGroupName: lambdaEnvironment.logGroupName,
    logStreamName: lambdaEnvironment.logStreamName,
    clientContext: message.clientContext === undefined ? undefined : JSON.parse(message.clientContext),
    identity: message.identity,
    invokedFunctionArn: message.invokedFunctionArn,
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => message.deadlineMs - Date.now(),
  };
  try {
    // An empty payload is the event {}, as Lambda makes it.
    const result = handler(message.event === '' ? {} : JSON.parse(message.event), context, callback);
    if (result && typeof result.then === 'function')
      result.then(
        (r) => done(null, r),
        (e) => done(e === undefined || e === null ? 'handled' : e),
      );
  } catch (e) {
    done(e === undefined || e === null ? 'handled' : e);
  }
}

// An exception or rejection nothing catches fails the invocation in progress (or the init) with that error,
// then the process exits, as Lambda's runtime client does: the next invocation starts a fresh process.
function crash(error, code) {
  console.error(error instanceof UnhandledPromiseRejection ? 'Unhandled Promise Rejection' : 'Uncaught Exception', formatted(error));
  // `fatal`: the process is about to exit, so the cloud sends it nothing more.
  const message = current
    ? { type: 'error', fatal: true, requestId: current.requestId, error: toErrorPayload(error) }
    : { type: 'init-error', error: toErrorPayload(error) };
  if (current) current.finished = true;
  process.channel.ref();
  void send(message).then(() => process.exit(code));
}
process.on('uncaughtException', (error) => crash(error, 129));
// The cloud is gone (stopped, or crashed): so is this process, rather than living on unowned.
process.on('disconnect', () => process.exit(0));

// Whatever this process started ends with it when it exits on its own (a handler's process.exit(), a crash,
// the cloud gone): the cloud stops a running process's descendants by walking /proc from its pid, which an
// exited process no longer leads. Each is stopped before its children are read, so none starts another
// behind the walk (Linux; elsewhere the cloud gives the process a session of its own and kills the group).
function childrenOf(pid) {
  const children = [];
  let threads = [];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const thread of threads) {
    try {
      for (const child of fs.readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').split(' ')) if (child.trim()) children.push(Number(child));
    } catch {
      // the thread ended, or no children lists on this kernel
    }
  }
  return children;
}
process.on('exit', () => {
  if (process.platform !== 'linux') return;
  const found = [];
  const pending = childrenOf(process.pid);
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    if (found.includes(pid)) continue;
    try {
      process.kill(pid, 'SIGSTOP');
    } catch {
      continue;
    }
    found.push(pid);
    pending.push(...childrenOf(pid));
  }
  for (const pid of found.reverse())
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
});
process.on('unhandledRejection', (reason) => crash(new UnhandledPromiseRejection(String(reason)), 128));

// NODE_PATH (layers, the AWS SDK) applies to require() only. ES modules find those packages too, through a
// resolve hook that retries a bare specifier from each NODE_PATH folder when the usual lookup (the
// function's own node_modules first) fails. Registered for ES module handlers only.
function registerNodePathForImports() {
  const mod = require('module');
  const folders = (process.env.NODE_PATH || '').split(path.delimiter).filter((dir) => dir && fs.existsSync(dir));
  if (folders.length === 0) return;
  const parents = folders.map((dir) => pathToFileURL(path.join(path.dirname(dir), 'node-path-parent.js')).href);
  const isBare = (specifier) => !/^(\.|\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);
  if (typeof mod.registerHooks === 'function') {
    // Node.js 22.15+ and 24: in-thread hooks, no worker thread to pay for.
    mod.registerHooks({
      resolve(specifier, context, next) {
        try {
          return next(specifier, context);
        } catch (error) {
          if (!error || error.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw error;
          for (const parentURL of parents) {
            try {
              return next(specifier, Object.assign({}, context, { parentURL }));
            } catch {}
          }
          throw error;
        }
      },
    });
    return;
  }
  if (typeof mod.register !== 'function') return;
  const hook = `const parents = ${JSON.stringify(parents)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!error || error.code !== 'ERR_MODULE_NOT_FOUND' || !(${isBare.toString()})(specifier)) throw error;
    for (const parentURL of parents) {
      try {
        return await next(specifier, { ...context, parentURL });
      } catch {}
    }
    throw error;
  }
}`;
  mod.register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
    const major = Number(/nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV || '')?.[1]);
    if (major >= 24 && handler.length >= 3) {
      throw new CallbackHandlerDeprecated(
        'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
      );
    }
  } catch (error) {
    console.error('Init Error', formatted(error));
    await send({ type: 'init-error', error: toErrorPayload(error) });
    process.exit(129);
  }
  readLambdaEnvironment();
  process.on('message', (message) => {
    if (message && message.type === 'invoke') invoke(handler, message);
  });
  await send({ type: 'ready' });
}

void main();
