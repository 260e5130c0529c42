// The load generator of the proxy benchmark (Node, no dependencies): C keep-alive clients
// each sending POST /api/v2/send with a valid body one after another for S seconds;
// prints {"requests", "seconds", "rps", "p50_ms", "p99_ms", "errors"} as JSON.
// Usage: node node_load.js PORT CLIENTS SECONDS [WARMUP_SECONDS] [good|bad]  (bad: a body the
// proxy refuses, answered locally with 400)
"use strict";
const http = require("http");
const [port, clients, seconds, warmup] = [Number(process.argv[2]), Number(process.argv[3]),
  Number(process.argv[4]), Number(process.argv[5] || 1)];
const body = JSON.stringify({ to: process.argv[6] === "bad" ? "+1415" : "+14155551234",
  list_number: "+18005551000", body: "Hello" });
const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body),
  "X-Api-Key": "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6" };
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });

function one() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/api/v2/send", headers, agent }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve([res.statusCode, Number(process.hrtime.bigint() - started) / 1e6]));
    });
    req.on("error", () => resolve([0, 0]));
    req.end(body);
  });
}

async function client(until, times, counts) {
  while (Date.now() < until) {
    const [status, ms] = await one();
    if (times) times.push(ms);
    if (counts) { counts.requests += 1; if (status >= 500 || status === 0) counts.errors += 1; }
  }
}

(async () => {
  await Promise.all(Array.from({ length: clients }, () => client(Date.now() + warmup * 1000)));
  const times = [];
  const counts = { requests: 0, errors: 0 };
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, () => client(started + seconds * 1000, times, counts)));
  const took = (Date.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  console.log(JSON.stringify({ requests: counts.requests, seconds: took, rps: counts.requests / took,
    p50_ms: at(0.5), p99_ms: at(0.99), errors: counts.errors }));
  agent.destroy();
})();
