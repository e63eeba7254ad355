#!/usr/bin/env node
// The CLI runs from the compiled output, which `npm install` (prepare) and `npm start` (prestart) build.
import('../dist/src/cli/cairnctl.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('cairnctl is not built yet: run `npm run build` (or `npm install`) in the Cairn folder first.');
    process.exit(3);
  }
  throw error;
});
