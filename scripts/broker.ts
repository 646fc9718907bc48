import { parseArgs } from 'node:util';
import { startBroker } from './broker-server.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env['BROKER_HOST'] ?? '0.0.0.0' },
    port: { type: 'string', default: process.env['BROKER_PORT'] ?? '9000' },
    path: { type: 'string', default: process.env['BROKER_PATH'] ?? '/peerjs' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a number from 0 to 65535, not "${values.port}"`);
  process.exit(2);
}
const broker = await startBroker({ host: values.host, port, path: values.path });
console.log(`Mycel broker listening on http://${broker.host}:${broker.port}${broker.path}`);
console.log('In Mycel, open Settings and set the broker URL to this address (https:// behind TLS).');
const stop = (): void => {
  void broker.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
