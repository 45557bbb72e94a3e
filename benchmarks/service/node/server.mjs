#!/usr/bin/env node
// The express row of benchmarks/service: one protected route, GET /me,
// answering the caller's sub as JSON, with aws-jwt-verify's
// CognitoJwtVerifier checking an ID token of the pool and app client (RS256
// by kid, exp with 5 s grace, iss, aud, token_use "id"). The JWKS is fetched
// over HTTPS from the fake pool on 127.0.0.1 (trusted through
// NODE_EXTRA_CA_CERTS) by aws-jwt-verify's own SimpleFetcher, pointed there
// instead of the AWS URL it derives from the pool ID. Prints
// "listening on ADDR" once the keys are loaded.
//
// node server.mjs --modules DIR --pool-id ID --client-id ID --jwks-url URL
import path from "node:path";
import { createRequire } from "node:module";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
}
for (const k of ["modules", "pool-id", "client-id", "jwks-url"]) {
  if (args[k] === undefined) {
    console.error(`server.mjs: missing --${k}`);
    process.exit(2);
  }
}
const req = createRequire(path.join(path.resolve(args.modules), "noop.js"));
const express = req("express");
const { CognitoJwtVerifier } = req("aws-jwt-verify");
const { SimpleJwksCache } = req("aws-jwt-verify/jwk");
const { SimpleFetcher } = req("aws-jwt-verify/https");

const fetcher = new SimpleFetcher();
const localJwks = args["jwks-url"];
const verifier = CognitoJwtVerifier.create(
  {
    userPoolId: args["pool-id"],
    tokenUse: "id",
    clientId: args["client-id"],
    graceSeconds: 5,
  },
  { jwksCache: new SimpleJwksCache({ fetcher: { fetch: (_uri, opts, data) => fetcher.fetch(localJwks, opts, data) } }) },
);
await verifier.hydrate();

const app = express();
app.disable("x-powered-by");
app.get("/me", async (req, res) => {
  const auth = req.headers.authorization ?? "";
  if (!auth.startsWith("Bearer ")) {
    res.status(401).json({ error: "missing token" });
    return;
  }
  try {
    const payload = await verifier.verify(auth.slice(7));
    res.json({ sub: payload.sub });
  } catch {
    res.status(401).json({ error: "invalid token" });
  }
});
const server = app.listen(0, "127.0.0.1", () => {
  const a = server.address();
  console.log(`listening on ${a.address}:${a.port}`);
});
