// Imported first by the benches that drive the cloud with the AWS SDK: on Node.js 20 each SDK client warns that
// the SDK's 2027 releases will need Node.js 22, which says nothing about the figures (the CLI and the cloud turn
// the notice off the same way, in their bins).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
