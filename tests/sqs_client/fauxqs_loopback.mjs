// Starts fauxqs (an independent SQS-compatible server from npm) for the tests: on 127.0.0.1 only
// and on a port the OS picks, printing "FAUXQS_PORT=<port>" once it listens.
// Usage: node fauxqs_loopback.mjs <path to fauxqs/dist/app.js>
import net from "node:net";
import { pathToFileURL } from "node:url";

// fauxqs always binds 0.0.0.0; tests must listen on loopback only, so pin the host here.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args.length > 0 && typeof args[0] === "object" && args[0] !== null) {
    args[0] = { ...args[0], host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};

const { startFauxqs } = await import(pathToFileURL(process.argv[2]).href);
const server = await startFauxqs({ port: 0, logger: false });
process.stdout.write(`FAUXQS_PORT=${server.port}\n`);
// Exit with the parent: the test closes our stdin when it is done.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
