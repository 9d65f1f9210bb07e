import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProxyResponse } from './proxy-response.js';

const malformed = (payload: string | undefined): string => {
  const parsed = parseProxyResponse(payload);
  assert.ok('malformed' in parsed, `accepted ${String(payload)}`);
  return parsed.malformed;
};

void describe('Lambda proxy responses', () => {
  void it('merges headers and multiValueHeaders, drops hop-by-hop headers and decodes base64 bodies', () => {
    const parsed = parseProxyResponse(
      JSON.stringify({
        statusCode: 201,
        headers: { 'Content-Type': 'image/png', 'X-One': 1, 'Content-Length': '999', 'Transfer-Encoding': 'chunked' },
        multiValueHeaders: { 'x-one': ['1', '2'], 'Set-Cookie': ['a=1', 'b=2'] },
        body: Buffer.from([1, 2, 3]).toString('base64'),
        isBase64Encoded: true,
      }),
    );
    assert.ok(!('malformed' in parsed));
    assert.equal(parsed.statusCode, 201);
    assert.deepEqual(Object.fromEntries(parsed.headers), { 'Content-Type': ['image/png'], 'X-One': ['1', '2'], 'Set-Cookie': ['a=1', 'b=2'] });
    assert.deepEqual([...parsed.body], [1, 2, 3]);
  });

  void it('answers an empty body when the function gives none', () => {
    const parsed = parseProxyResponse('{"statusCode":204}');
    assert.ok(!('malformed' in parsed));
    assert.equal(parsed.body.length, 0);
  });

  void it('names what makes a response malformed', () => {
    assert.match(malformed('not json'), /not JSON/);
    assert.match(malformed('null'), /answered null/);
    assert.match(malformed(undefined), /answered null/);
    assert.match(malformed('{"body":"x"}'), /statusCode undefined is not an HTTP status/);
    assert.match(malformed('{"statusCode":700}'), /statusCode 700/);
    assert.match(malformed('{"statusCode":200,"body":{"a":1}}'), /body is object: a proxy response's body must be a string/);
    assert.match(malformed('{"statusCode":200,"headers":{"x":{"a":1}}}'), /the header x is \{"a":1\}, not a string/);
    assert.match(malformed('{"statusCode":200,"multiValueHeaders":{"x":"a"}}'), /multiValueHeaders.x is not a list/);
    assert.match(malformed('{"statusCode":200,"isBase64Encoded":"yes"}'), /isBase64Encoded must be true or false/);
  });
});
