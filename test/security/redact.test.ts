// What redaction masks and what it leaves alone: a table of texts as they reach the store and
// error messages. Over-masking garbles a URL; under-masking leaks a password.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isSecretKey, maskSecrets, redact, redactStrings, redactText, rememberSecret } from "../../src/store/redact.js";

describe("redactText: passwords in URLs", () => {
  const cases: [string, string][] = [
    ["postgres://app:hunter2@db:5432/orders", "postgres://app:***@db:5432/orders"],
    ["postgresql://app:hunter2@db/orders?sslmode=require", "postgresql://app:***@db/orders?sslmode=require"],
    // People write unencoded @ and / in passwords; the whole password is masked.
    ["postgres://app:p@ss@db/orders", "postgres://app:***@db/orders"],
    ["postgres://app:pa/ss@db/orders", "postgres://app:***@db/orders"],
    // A scheme with a typo is still a URL with a password in an error message about it.
    ["postgresql//app:hunter2@db/orders", "postgresql//app:***@db/orders"],
    ['"url": "http://u:tok@api:8080/x"', '"url": "http://u:***@api:8080/x"'],
    ["two: postgres://a:one@h1/d and postgres://b:two@h2/d", "two: postgres://a:***@h1/d and postgres://b:***@h2/d"],
    // In the query, where libpq and pg also take a password from.
    ["postgres://app@db/orders?password=s3cretpw&sslmode=require", "postgres://app@db/orders?password=***&sslmode=require"],
    ["postgres://app@db/x?sslmode=verify-full&sslpassword=k3y", "postgres://app@db/x?sslmode=verify-full&sslpassword=***"],
    ["http://api/v1/data?api_key=abc123#top", "http://api/v1/data?api_key=***#top"],
    ["http://api/v1?access_token=abc&page=2", "http://api/v1?access_token=***&page=2"],
    ["postgres://app@db/x?password=${PGPASSWORD}", "postgres://app@db/x?password=${PGPASSWORD}"],
    // Not passwords: no userinfo, a port before a path with @, a ${VAR} not yet substituted.
    ["postgres://app@db:5432/orders", "postgres://app@db:5432/orders"],
    ["http://127.0.0.1:8080/users/@me", "http://127.0.0.1:8080/users/@me"],
    ["postgres://app:${PGPASSWORD}@db/orders", "postgres://app:${PGPASSWORD}@db/orders"],
    ["kafka-1:9092,kafka-2:9092", "kafka-1:9092,kafka-2:9092"],
    ["mail me at ops@example.com", "mail me at ops@example.com"],
    ["http://api/search?q=password+reset&passes=3", "http://api/search?q=password+reset&passes=3"],
  ];
  for (const [text, expected] of cases) test(text, () => assert.equal(redactText(text), expected));
});

test("isSecretKey: credentials by name, not the files that hold them", () => {
  for (const key of ["password", "PGPASSWORD", "pass", "apiKey", "api_key", "X-Api-Key", "token", "API_TOKEN", "secret", "sasl", "Authorization", "Cookie", "privateKey"]) {
    assert.equal(isSecretKey(key), true, key);
  }
  for (const key of ["passwordFile", "PASSWORD_FILE", "url", "user", "host", "headers", "table", "bypass_cache_file"]) {
    assert.equal(isSecretKey(key), false, key);
  }
});

test("redact: values under secret keys, URL passwords anywhere, nested", () => {
  const suite = {
    targets: {
      pg: { kind: "postgres", url: "postgres://app:pw1@db/orders", password: "pw2", passwordFile: "secrets/pg.txt" },
      api: { kind: "http", url: "http://api", headers: { Authorization: "Bearer t0k", "X-Trace": "abc" } },
    },
    list: ["postgres://a:pw3@h/d", 1, null],
  };
  assert.deepEqual(redact(suite), {
    targets: {
      pg: { kind: "postgres", url: "postgres://app:***@db/orders", password: "***", passwordFile: "secrets/pg.txt" },
      api: { kind: "http", url: "http://api", headers: { Authorization: "***", "X-Trace": "abc" } },
    },
    list: ["postgres://a:***@h/d", 1, null],
  });
});

test("maskSecrets: known values masked wherever they were substituted", () => {
  const secrets = new Set(["s3cr3t-value"]);
  assert.deepEqual(maskSecrets({ setup: ["alter role x password 's3cr3t-value'"], n: 5, deep: { v: "as3cr3t-valueb" } }, secrets), {
    setup: ["alter role x password '***'"],
    n: 5,
    deep: { v: "a***b" },
  });
  const same = { a: "x" };
  assert.equal(maskSecrets(same, new Set()), same, "no secrets: the value itself");
});

test("rememberSecret: a secret learned at run time is masked in any text from then on, keys untouched", () => {
  const secret = `learned-${process.pid}-secret`;
  assert.equal(redactText(`hint: the statement was: select '${secret}'`), `hint: the statement was: select '${secret}'`);
  rememberSecret(secret);
  rememberSecret("abc"); // too short to mask: it would garble unrelated text
  assert.equal(redactText(`hint: the statement was: select '${secret}' -- abc`), "hint: the statement was: select '***' -- abc");
  assert.deepEqual(redactStrings({ failure: `auth failed for ${secret}`, password: 5, top: [{ query: `x ${secret}` }] }), {
    failure: "auth failed for ***",
    password: 5,
    top: [{ query: "x ***" }],
  });
});
