// The OAuth 2 / OpenID authorization server of the SMART tests: npm's oauth2-mock-server on
// 127.0.0.1, adding the SMART launch context to every token response.
// usage: node oauth_server.mjs PORT CONTEXT.json
// CONTEXT.json is read on each token request: {"patient": "...", "expires_in": 3600,
// "refuse_refresh": false}, so a test can change the patient or shorten the token's life.
import { readFileSync } from "node:fs";
import { OAuth2Server } from "oauth2-mock-server";

const [port, contextFile] = process.argv.slice(2);
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeResponse", (response, req) => {
  const context = JSON.parse(readFileSync(contextFile, "utf8"));
  if (req.body.grant_type === "refresh_token" && context.refuse_refresh) {
    response.statusCode = 400;
    response.body = { error: "invalid_grant" };
    return;
  }
  response.body.patient = context.patient;
  response.body.fhirUser = "Practitioner/dr-test";
  if (context.expires_in !== undefined) response.body.expires_in = context.expires_in;
});
server.issuer.url = `http://127.0.0.1:${port}`;
await server.start(Number(port), "127.0.0.1");
console.log(`ready ${server.issuer.url}`);
