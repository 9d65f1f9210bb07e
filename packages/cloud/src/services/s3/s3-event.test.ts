import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeEventKey, sequencerOf } from './s3-event.js';

void describe('S3 event records', () => {
  void it('encode keys as S3 does: form-URL-encoding with slashes kept', () => {
    assert.equal(encodeEventKey('Happy Face.jpg'), 'Happy+Face.jpg');
    assert.equal(encodeEventKey('public/a+b.txt'), 'public/a%2Bb.txt');
    assert.equal(encodeEventKey('year=2020/t:00'), 'year%3D2020/t%3A00');
    assert.equal(encodeEventKey('photos/été 😀.png'), 'photos/%C3%A9t%C3%A9+%F0%9F%98%80.png');
    assert.equal(encodeEventKey('a-b_c.d*e~f%'), 'a-b_c.d*e%7Ef%25');
  });
  void it('give sequencers that sort as their positions do', () => {
    const positions = [1, 9, 10, 255, 4096, 2 ** 40];
    const sequencers = positions.map(sequencerOf);
    assert.deepEqual([...sequencers].sort(), sequencers);
    assert.match(sequencerOf(10), /^[0-9A-F]{18}$/);
  });
});
