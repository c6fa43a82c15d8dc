// `node --import ./test/helpers/moduleLog.mjs …` appends the URL of every module the process imports to
// the file named by MODULE_LOG_FILE (module loader hooks: they see imports, not CommonJS require calls).
import { register } from 'node:module';

register('./moduleLogHooks.mjs', import.meta.url, { data: { file: process.env.MODULE_LOG_FILE } });
