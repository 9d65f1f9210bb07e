#!/usr/bin/env node
// The bare baseline of the storage benchmark (bench/s3.mjs): a node:http file server on loopback that prints
// its port on a line of its own. `PUT /<path>` streams the body to a temporary file in the folder given as
// argument and renames it into place (a reader never sees half a file, as with the cloud's blobs); `GET /<path>`
// streams the file back with its content-length. No signatures, no hashes, no metadata: the disk and the socket.
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const [dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: s3-bare.mjs <folder>');
mkdirSync(join(dir, '.tmp'), { recursive: true });
let writes = 0;
const fileOf = (url) => join(dir, encodeURIComponent(decodeURIComponent(new URL(url, 'http://localhost').pathname.slice(1))));

const server = createServer(async (req, res) => {
  try {
    const file = fileOf(req.url);
    if (req.method === 'PUT') {
      const temp = join(dir, '.tmp', `${process.pid}-${++writes}`);
      try {
        await pipeline(req, createWriteStream(temp));
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    } else if (req.method === 'GET') {
      const found = await stat(file).catch(() => undefined);
      if (!found?.isFile()) {
        res.writeHead(404, { 'content-length': 0 });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': found.size });
      await pipeline(createReadStream(file), res);
    } else {
      res.writeHead(405, { 'content-length': 0 });
      res.end();
    }
  } catch (error) {
    if (!res.headersSent) res.writeHead(500, { 'content-length': 0 });
    res.end();
    // A download the client dropped (the bench stops its GET loops mid-body at the end of a measure) is no error.
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') console.error(error);
  }
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
