#!/usr/bin/env node
// Times aws-jwt-verify's CognitoJwtVerifier.verifySync on one token, for
// benchmarks/peers, which writes the files, starts this once and then asks
// for one measurement at a time, between its own, so that Node and Go are
// timed under the same machine load. Protocol, one JSON object per line on
// stdout: first {"version", "node"} once the token verified, the forged
// token was refused and V8 is warm; then for each line "MODE MS" read on
// stdin, {"ns": nanoseconds per call over at least MS milliseconds}.
// The JWKS is preloaded with cacheJwks, so no request is made; the checks
// match the Go peers: signature, exp (with grace), iss, client, token_use
// "id" and one group. aws-jwt-verify has no verified-token cache, so the
// "repeated" figure times the same call again, as a noise check.
//
// node bench.mjs --modules DIR --pool-id ID --client-id ID --group G
//                --grace SECONDS --jwks FILE --token FILE --forged FILE
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import readline from "node:readline";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
}
const need = ["modules", "pool-id", "client-id", "group", "grace", "jwks", "token", "forged"];
for (const k of need) {
  if (args[k] === undefined) {
    console.error(`bench.mjs: missing --${k}`);
    process.exit(2);
  }
}

const req = createRequire(path.join(path.resolve(args.modules), "noop.js"));
const { CognitoJwtVerifier } = req("aws-jwt-verify");
const entry = req.resolve("aws-jwt-verify");
const pkgDir = entry.slice(0, entry.lastIndexOf(`${path.sep}aws-jwt-verify${path.sep}`) + `${path.sep}aws-jwt-verify`.length);
const version = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;

const token = fs.readFileSync(args.token, "utf8").trim();
const forged = fs.readFileSync(args.forged, "utf8").trim();
const verifier = CognitoJwtVerifier.create({
  userPoolId: args["pool-id"],
  tokenUse: "id",
  clientId: args["client-id"],
  groups: args.group,
  graceSeconds: Number(args.grace),
});
verifier.cacheJwks(JSON.parse(fs.readFileSync(args.jwks, "utf8")));

verifier.verifySync(token); // throws if the token is refused
let forgedAccepted = true;
try {
  verifier.verifySync(forged);
} catch {
  forgedAccepted = false;
}
if (forgedAccepted) {
  console.error("bench.mjs: aws-jwt-verify accepted a forged signature");
  process.exit(1);
}

// run calls verifySync for at least ms milliseconds and returns nanoseconds
// per call.
function run(ms) {
  const budget = BigInt(ms) * 1000000n;
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 100; i++) verifier.verifySync(token);
    n += 100;
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / n;
}

run(500); // warm-up: let V8 optimise the hot path first
process.stdout.write(JSON.stringify({ version, node: process.versions.node }) + "\n");
for await (const line of readline.createInterface({ input: process.stdin })) {
  const [, ms] = line.trim().split(/\s+/); // the mode is the same call: no token cache
  run(Math.min(Number(ms), 100)); // re-warm after waiting on stdin, as testing.Benchmark ramps up
  process.stdout.write(JSON.stringify({ ns: run(Number(ms)) }) + "\n");
}
