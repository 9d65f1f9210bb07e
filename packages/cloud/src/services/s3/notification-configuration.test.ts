import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForteError } from '@forte/protocol';
import { eventMatches, notificationFromTemplate, notificationXml, parseNotificationXml, targetsOf } from './notification-configuration.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:trigger';
const refusedWith = (code: string, message: RegExp) => (error: unknown) => isForteError(error) && error.code === code && message.test(error.message);

void describe('bucket notification configurations', () => {
  void it('read the SDK wire form and write it back', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
      <CloudFunctionConfiguration><Id>images</Id><CloudFunction>${FN}</CloudFunction><Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:Delete</Event>
      <Filter><S3Key><FilterRule><Name>Prefix</Name><Value>images/</Value></FilterRule><FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter>
      </CloudFunctionConfiguration></NotificationConfiguration>`;
    const config = parseNotificationXml(xml);
    assert.deepEqual(config, {
      lambda: [
        {
          id: 'images',
          functionArn: FN,
          events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:Delete'],
          rules: [
            { name: 'prefix', value: 'images/' },
            { name: 'suffix', value: '.jpg' },
          ],
        },
      ],
    });
    assert.deepEqual(parseNotificationXml(`<NotificationConfiguration>${notificationXml(config)}</NotificationConfiguration>`), config);
    assert.deepEqual(parseNotificationXml('<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'), { lambda: [] });
  });

  void it('match events by type and keys by their filter rules', () => {
    assert.equal(eventMatches('s3:ObjectCreated:*', 'ObjectCreated:CompleteMultipartUpload'), true);
    assert.equal(eventMatches('s3:ObjectCreated:Put', 'ObjectCreated:Copy'), false);
    assert.equal(eventMatches('s3:ObjectRemoved:*', 'ObjectCreated:Put'), false);
    const config = notificationFromTemplate({
      LambdaConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Function: FN,
          Filter: {
            S3Key: {
              Rules: [
                { Name: 'prefix', Value: 'images/' },
                { Name: 'suffix', Value: '.jpg' },
              ],
            },
          },
        },
      ],
    });
    assert.equal(targetsOf(config, 'ObjectCreated:Put', 'images/a.jpg').length, 1);
    assert.equal(targetsOf(config, 'ObjectCreated:Put', 'images/a.png').length, 0);
    assert.equal(targetsOf(config, 'ObjectCreated:Put', 'docs/a.jpg').length, 0);
    assert.equal(targetsOf(config, 'ObjectRemoved:Delete', 'images/a.jpg').length, 0);
  });

  void it("take Amplify's template form: one event per LambdaConfiguration, no filter", () => {
    const config = notificationFromTemplate({
      LambdaConfigurations: [
        { Event: 's3:ObjectCreated:*', Function: FN },
        { Event: 's3:ObjectRemoved:*', Function: FN },
      ],
    });
    assert.deepEqual(
      config.lambda.map((t) => t.events),
      [['s3:ObjectCreated:*'], ['s3:ObjectRemoved:*']],
    );
    assert.equal(new Set(config.lambda.map((t) => t.id)).size, 2, 'each configuration gets an id');
  });

  void it("refuse what S3 refuses, with S3's codes", () => {
    const one = (rules: string, events = '<Event>s3:ObjectCreated:*</Event>') =>
      `<CloudFunctionConfiguration><CloudFunction>${FN}</CloudFunction>${events}<Filter><S3Key>${rules}</S3Key></Filter></CloudFunctionConfiguration>`;
    const doc = (inner: string) => `<NotificationConfiguration>${inner}</NotificationConfiguration>`;
    assert.throws(() => parseNotificationXml('<Nope/>'), refusedWith('MalformedXML', /not well-formed/));
    // Unclosed elements by the hundred thousand: refused after one pass, not one scan per element.
    const hostile = `<NotificationConfiguration><CloudFunctionConfiguration>${'<Event>'.repeat(100_000)}</CloudFunctionConfiguration></NotificationConfiguration>`;
    assert.throws(() => parseNotificationXml(hostile), refusedWith('MalformedXML', /not well-formed/));
    const many = Array.from({ length: 1001 }, (_, i) => one(`<FilterRule><Name>prefix</Name><Value>${i}/</Value></FilterRule>`)).join('');
    assert.throws(() => parseNotificationXml(doc(many)), refusedWith('InvalidArgument', /at most 1000/));
    assert.throws(() => parseNotificationXml(doc(one('', '<Event>s3:ObjectEaten:*</Event>'))), refusedWith('InvalidArgument', /event is not supported/));
    assert.throws(
      () => parseNotificationXml(doc(one('<FilterRule><Name>infix</Name><Value>a</Value></FilterRule>'))),
      refusedWith('InvalidArgument', /prefix or suffix/),
    );
    const twoPrefixes = '<FilterRule><Name>prefix</Name><Value>a</Value></FilterRule><FilterRule><Name>prefix</Name><Value>b</Value></FilterRule>';
    assert.throws(() => parseNotificationXml(doc(one(twoPrefixes))), refusedWith('InvalidArgument', /more than one prefix/));
    // Same event type, and one prefix extends the other: an object could match both.
    const overlapping =
      one('<FilterRule><Name>prefix</Name><Value>a/</Value></FilterRule>') +
      one('<FilterRule><Name>prefix</Name><Value>a/b</Value></FilterRule>', '<Event>s3:ObjectCreated:Put</Event>');
    assert.throws(() => parseNotificationXml(doc(overlapping)), refusedWith('InvalidArgument', /Configurations overlap/));
    const disjoint =
      one('<FilterRule><Name>prefix</Name><Value>a/</Value></FilterRule>') + one('<FilterRule><Name>prefix</Name><Value>b/</Value></FilterRule>');
    assert.equal(parseNotificationXml(doc(disjoint)).lambda.length, 2);
    assert.throws(
      () =>
        parseNotificationXml(
          doc('<TopicConfiguration><Topic>arn:aws:sns:us-east-1:123456789012:t</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration>'),
        ),
      refusedWith('InvalidArgument', /Unable to validate the following destination configurations/),
    );
    assert.throws(() => parseNotificationXml(doc('<EventBridgeConfiguration/>')), refusedWith('NotImplemented', /EventBridge/));
    assert.throws(
      () => notificationFromTemplate({ LambdaConfigurations: [{ Event: 's3:ObjectCreated:*' }] }),
      refusedWith('InvalidArgument', /Event and Function/),
    );
  });
});
