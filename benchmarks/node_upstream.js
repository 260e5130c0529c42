// The upstream of the proxy benchmark: a Node HTTP server (no dependencies) that reads each
// request's body and answers 200 {"received": n}, as an Express API answers a send.
// Usage: node node_upstream.js PORT   (prints "ready" once listening)
"use strict";
const http = require("http");
let n = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    n += 1;
    const body = JSON.stringify({ received: n, bytes: Buffer.concat(chunks).length });
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.argv[2]), "127.0.0.1", () => console.log("ready"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
