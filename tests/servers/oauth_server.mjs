// The OAuth 2 / OpenID authorization server of the SMART tests: npm's oauth2-mock-server on
// 127.0.0.1, adding the SMART launch context to every token response.
// usage: node oauth_server.mjs PORT CONTEXT.json
// CONTEXT.json is read on each token request: {"patient": "...", "expires_in": 3600,
// "refuse_refresh": false, "user": {...claims}, "no_id_token": false}, so a test can change the
// patient, shorten the token's life, or change the EHR user's ID-token claims ("user" is merged
// into the signed ID token: fhirUser, name, roles, or a wrong iss/aud/exp) or drop the ID token.
// The ID token (issued by the mock when the code exchange names a client) is the one token
// whose payload carries "aud"; the response body's own fhirUser differs on purpose, so a test
// sees that the app believes only the signed token.
import { readFileSync } from "node:fs";
import { OAuth2Server } from "oauth2-mock-server";

const [port, contextFile] = process.argv.slice(2);
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
const readContext = () => JSON.parse(readFileSync(contextFile, "utf8"));
const DEFAULT_USER = { fhirUser: "Practitioner/dr-test", name: "Dr Test Launcher" };
server.service.on("beforeTokenSigning", (token) => {
  if (token.payload.aud === undefined) return; // the access token
  Object.assign(token.payload, readContext().user ?? DEFAULT_USER);
});
server.service.on("beforeResponse", (response, req) => {
  const context = readContext();
  if (req.body.grant_type === "refresh_token" && context.refuse_refresh) {
    response.statusCode = 400;
    response.body = { error: "invalid_grant" };
    return;
  }
  response.body.patient = context.patient;
  response.body.fhirUser = "Practitioner/not-from-the-id-token";
  if (context.no_id_token) delete response.body.id_token;
  if (context.expires_in !== undefined) response.body.expires_in = context.expires_in;
});
server.issuer.url = `http://127.0.0.1:${port}`;
await server.start(Number(port), "127.0.0.1");
console.log(`ready ${server.issuer.url}`);
