export { defaultConfig, startServer, type RunningServer, type ServerConfig } from './server.js';
export { configFrom } from './cli.js';
export { adminPasswordNotice } from './bootstrap.js';
