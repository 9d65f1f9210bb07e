#!/usr/bin/env node
// The cloud's bin as an ES module, for whoever runs dist/bin.js: it runs dist/bin.cjs (the package's bin).
import './bin.cjs';
