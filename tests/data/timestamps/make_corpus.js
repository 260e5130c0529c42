#!/usr/bin/env node
// Builds corpus.json: timestamp-like strings and whether Node's `new Date(s)` reads each
// one as a valid date.  Run from anywhere: `node tests/data/timestamps/make_corpus.js`.
//
// The strings are generated deterministically (seeded PRNG): ISO 8601 variants, RFC 2822 /
// HTTP dates, US and European numeric dates, month names, weekday prefixes, white space,
// bare numbers, junk, the Date methods' own outputs, random sequences of the tokenizer's pieces
// and random mutations of all of these.
// Each string is judged in three time zones (UTC, UTC-12, UTC+14), each in its own child
// process (TZ is read at start-up); `v8` is true when any of them reads a date - a string
// without a zone is local time, and the server's zone is unknown.  Only strings within 14
// hours of the ends of the date range (years 275760 / -271821) can differ between zones.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const ZONES = ["UTC", "Etc/GMT+12", "Pacific/Kiritimati"];

if (process.argv[2] === "--judge") {  // child: strings on stdin, verdicts on stdout
  const strings = JSON.parse(fs.readFileSync(0, "utf8"));
  process.stdout.write(JSON.stringify(strings.map((s) => !Number.isNaN(new Date(s).getTime()))));
  process.exit(0);
}

let seed = 20250601;
function rand() {  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pad = (n, w) => String(n).padStart(w, "0");

const out = new Set();
const add = (s) => { if (typeof s === "string" && !/[\ud800-\udfff]/.test(s)) out.add(s); };

// --- the examples ------------------------------------------------------------------
["06/01/2025", "June 1, 2025", "2025/06/01", "1 Jun 2025", "Sun, 01 Jun 2025 00:00:00 GMT",
 "Mon Jun 02 2025 10:00:00 GMT+0000", " 2025-06-01", "2025-06-01 ", " 2025-06-01T10:00:00Z ",
 "2025-06-01T10:00:60", "2025-06-01T10:00:00,5", "2025-06-01T10:00+05", "2025-03-15T14:30:00Z",
 "2025-06-10T12:00:00", "2025-03-15", "06-01-2025", "6/1/2025", "2025-02-29", "2025-02-30"].forEach(add);

// --- ISO 8601 variants -----------------------------------------------------------------------
const years = ["2025", "2024", "1970", "0000", "0999", "9999", "1900", "+002025", "-002025", "+275760", "-271821",
               "-000000", "+000000", "25", "02025", "12345"];
const months = ["01", "06", "12", "00", "13", "1", "6"];
const days = ["01", "15", "28", "29", "30", "31", "32", "00", "1", "9"];
const seps = ["T", "t", " ", "  ", "_", "TT"];
const times = ["10:00", "10:00:00", "23:59:59", "24:00", "24:00:00", "24:00:00.000", "24:00:01", "24:01", "25:00",
               "10:00:60", "10:60", "1:00", "10:0", "1000", "100000", "10", "10:00:00.5", "10:00:00.123",
               "10:00:00.123456", "10:00:00.1234567891", "10:00:00,5", "10:00:00.", "10:00.5", "00:00", "12:30:45"];
const zones = ["", "Z", "z", "+00:00", "-05:00", "+0530", "+05", "-5", "+23:59", "+24:00", "+05:60", " Z", "UTC",
               " GMT", "+05:30:00", "ZZ", "+5:30", "-12:00", "+14:00", " +0100", " (CET)"];
for (let i = 0; i < 1400; i++) {
  const d = pick(years) + (rand() < 0.9 ? "-" + pick(months) + (rand() < 0.85 ? "-" + pick(days) : "") : "");
  add(rand() < 0.3 ? d : d + pick(seps) + pick(times) + pick(zones));
}
for (const y of ["2025", "2024", "1999"]) for (const m of months) for (const dd of days) add(`${y}-${m}-${dd}`);

// --- RFC 2822 / HTTP / toString forms ------------------------------------------------------
const wk = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sunday", "Monday", "Thurs", "Tues.", "Mo", "Xyz"];
const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "January", "June",
             "Sept", "September", "jun", "JUNE", "Juni", "Junk", "Ju", "Mär", "Janvier", "Dez"];
const tzw = ["GMT", "UTC", "UT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "+0000", "-0500",
             "GMT+0000", "GMT-0800", "GMT+05:30", "GMT+5", "UTC+1", "BST", "CET", "+05:30", "-08", "GMT+12345",
             "GMT+0000 (Coordinated Universal Time)", "(PST)", "GMT-", "GMT+", ""];
for (let i = 0; i < 900; i++) {
  const y = pick(["2025", "25", "1999", "99", "49", "50", "0", "275760", "100", "1000", "12345"]);
  const dd = pick(["1", "01", "31", "32", "0", "15"]);
  const t = pick(["", "00:00:00", "10:00", "10:00:00", "23:59:59", "24:00:00", "12:00 PM", "12:00 AM", "1:00 pm",
                  "13:00 PM", "10:00:00.123", "10.00", "10:00:00:00"]);
  const form = int(0, 5);
  let s;
  if (form === 0) s = `${pick(wk)}, ${dd} ${pick(mon)} ${y} ${t} ${pick(tzw)}`;
  else if (form === 1) s = `${pick(wk)} ${pick(mon)} ${dd} ${y} ${t} ${pick(tzw)}`;
  else if (form === 2) s = `${dd} ${pick(mon)} ${y} ${t}`;
  else if (form === 3) s = `${pick(mon)} ${dd}, ${y} ${t}`;
  else if (form === 4) s = `${pick(mon)}-${dd}-${y}`;
  else s = `${dd}-${pick(mon)}-${y} ${t}`;
  add(s.replace(/\s+/g, " ").trim());
  if (rand() < 0.2) add(s);
}

// --- numeric dates (US, European, slashes, dots) -------------------------------------------
for (let i = 0; i < 900; i++) {
  const a = String(int(0, 40)), b = String(int(0, 40));
  const c = pick(["2025", "25", "99", "1999", "0", "12345", "2025"]);
  const sep = pick(["/", "-", ".", " ", ",", "/", "\\"]);
  const p = pick([[a, b, c], [c, a, b], [pad(a, 2), pad(b, 2), c]]);
  let s = p.join(sep);
  if (rand() < 0.4) s += " " + pick(times.slice(0, 12)) + (rand() < 0.3 ? " " + pick(["AM", "PM", "am", "p.m."]) : "");
  if (rand() < 0.2) s += " " + pick(tzw);
  add(s);
}
for (const f of ["MM/DD/YYYY", "M/D/YYYY", "MM-DD-YYYY", "DD.MM.YYYY", "YYYY/MM/DD", "YYYY.MM.DD", "DD/MM/YYYY"]) {
  for (let i = 0; i < 40; i++) {
    const y = int(1900, 2100), m = int(1, 12), d = int(1, 28);
    add(f.replace("YYYY", y).replace("MM", pad(m, 2)).replace("DD", pad(d, 2)).replace("M", m).replace("D", d));
  }
}

// --- Date's own outputs ------------------------------------------------------------------------
for (let i = 0; i < 150; i++) {
  const d = new Date(rand() < 0.8 ? int(-5e12, 5e12) : pick([8.64e15, -8.64e15, 8.64e15 - 1, 0, -1, 253402300799999]));
  for (const m of ["toISOString", "toString", "toUTCString", "toDateString", "toJSON"]) add(d[m]());
  add(d.toLocaleString("en-US")); add(d.toLocaleDateString("en-US")); add(d.toLocaleString("en-GB"));
}

// --- white space, bare numbers, junk ------------------------------------------------------
const ws = [" ", "\t", "\n", "\r\n", "\u00a0", "\u2028", "\u3000", "\ufeff", "\u200b", "\v", "\f", "\u0085"];
for (const w of ws) for (const s of ["2025-06-01", "2025-06-01T10:00:00Z", "June 1, 2025", "06/01/2025"]) {
  add(w + s); add(s + w); add(s.replace(/[ T\-\/]/g, w));
}
// every ASCII character and some Unicode ones as a separator (which are words, white space or ignored)
const sepChars = [];
for (let c = 1; c < 0x80; c++) sepChars.push(String.fromCharCode(c));
sepChars.push("\u0085", "\u00ad", "\u180e", "\u1680", "\u2007", "\u2029", "\u202f", "\u205f", "\u2060", "\ufffd",
              "\uff10", "\u0660");
for (const c of sepChars) {
  for (const s of [`2025${c}06${c}01`, `Jun${c}1${c}2025`, `${c}2025-06-01`, `2025-06-01${c}`, `1${c}2${c}2025 10:00${c}`,
                   `x${c}1 2025`, `2025-06-01T10:00${c}`]) add(s);
}
for (let n = 0; n < 60; n++) add(String(n));
for (const n of ["100", "999", "1000", "2025", "9999", "10000", "99999", "123456", "1234567", "20250601",
                 "1718000000000", "0000", "-1", "-2025", "+2025", "1.5", "2025.5", "1e3", "0x10", "00", "000", "-0"]) add(n);
for (const s of ["", " ", "now", "today", "yesterday", "null", "undefined", "NaN", "Invalid Date", "true", "T", "Z",
                 "-", "+", ":", "()", "(2025)", "2025)", "(2025-06-01)", "2025-06-01 (note)", "2025-06-01 (", "2025-06-01 )",
                 "Jun", "June", "Jun 2025", "2025 Jun", "Jun 1", "1 Jun", "am", "10 am", "10:00", "10:00:00", "10:00 PM",
                 "2025-06-01\u0000junk", "\u0000", "x2025-06-01", "x 2025-06-01", "abc 2025", "2025 abc",
                 "2025-06-01T10:00:00Z junk", "2025-06-01 10:00 junk", "On 2025-06-01", "2025-06-01T10:00:00.000+05:30",
                 "12/31/1969 23:59:59", "1/1/1970 GMT", "2025-W23", "2025-152", "P1D", "2025-06-01/2025-06-02",
                 "[2025-06-01]", "{2025}", "2025-06-01T10:00:00Z[UTC]", "2025-06-01T10:00:00+01:00[Europe/Paris]",
                 "Sat Sep 13 275760 00:00:00 GMT", "Sat Sep 13 275760 00:00:01 GMT", "Sep 13 275760", "Sep 14 275760",
                 "Sep 13 275760 13:59", "Sep 13 275760 14:00", "Sep 13 275760 14:01", "Sep 12 275760 23:00",
                 "+275760-09-13T00:00:00Z", "+275760-09-13T00:00:00.001Z", "-271821-04-20T00:00:00Z",
                 "-271821-04-19T23:59:59.999Z", "-271821-04-19T12:00", "-271821-04-19T11:59", "+275760-09-13T14:00",
                 "+275760-09-13T14:01", "Jan 1 2000 10:00 GMT+300000:", "Jan 1 2000 10:00 GMT+600000:",
                 "Jan 1 2000 10:00 GMT+1200000:", "Jan 1 2000 10:00 +1193047:", "Jan 1 2000 10:00 +596524:"]) add(s);

// --- token soup: the tokenizer's pieces in random order ---------------------------------------
const pieces = ["0", "1", "2", "5", "9", "10", "12", "13", "24", "29", "30", "31", "32", "49", "50", "59", "60", "99",
                "100", "999", "1000", "2025", "0000", "00", "000123", "123456", "1234567", "0000000002025", "999999999",
                "1000000000", "-", "+", ":", ".", ")", "(", "/", ",", " ", "  ", "\t", "\n", "\u00a0", "\u2028", "T", "t",
                "Z", "z", "am", "PM", "a.m.", "GMT", "UTC", "UT", "EST", "PDT", "Jan", "June", "Sept", "Mayo", "x", "abc",
                "Mon", "Monday,", "(note)", "((a)b)", "\u0000", "\u00e9", "_", "[", "::", "T10:00", "+0530", "-08:00",
                "+05:30", "GMT+5", "+1", "+123", "+12345"];
for (let i = 0; i < 2500; i++) {
  let s = "";
  for (let k = int(1, 8); k > 0; k--) s += pick(pieces);
  add(s);
}

// --- mutations ---------------------------------------------------------------------------------
const seeds = [...out];
const alphabet = "0123456789-+:./ ,TZtz()APMapmJunJanGMT\t\u00a0\u2028";
for (let i = 0; i < 2200; i++) {
  let s = pick(seeds);
  for (let k = int(1, 3); k > 0; k--) {
    const at = int(0, s.length), op = int(0, 2), c = pick(alphabet);
    s = op === 0 ? s.slice(0, at) + c + s.slice(at) : op === 1 ? s.slice(0, at) + s.slice(at + 1)
      : s.slice(0, at) + c + s.slice(at + 1);
  }
  add(s);
}

const strings = [...out].sort();
const verdicts = ZONES.map((tz) => JSON.parse(execFileSync(process.execPath, [__filename, "--judge"], {
  input: JSON.stringify(strings), env: { ...process.env, TZ: tz }, maxBuffer: 1 << 26,
}).toString()));
const cases = {};
const zoneDependent = [];
strings.forEach((s, i) => {
  const v = verdicts.map((vs) => vs[i]);
  cases[s] = v.some(Boolean);
  if (!v.every((x) => x === v[0])) zoneDependent.push(s);
});
const doc = { node: process.version, v8: process.versions.v8, zones: ZONES, count: strings.length,
              zone_dependent: zoneDependent, cases };
const head = JSON.stringify({ ...doc, cases: undefined }, null, 1).replace(/\n}$/, "");
const body = strings.map((s) => `  ${JSON.stringify(s)}: ${cases[s]}`).join(",\n");  // one case a line
fs.writeFileSync(path.join(__dirname, "corpus.json"), `${head},\n "cases": {\n${body}\n }\n}\n`);
console.log(`${strings.length} strings, ${strings.filter((s) => cases[s]).length} dates, ` +
            `${zoneDependent.length} zone-dependent (node ${process.version}, V8 ${process.versions.v8})`);
