'use strict';
// Tests of the edge router, run with Node's built-in test runner:
//   node --test templates/edge-router/
const test = require('node:test');
const assert = require('node:assert/strict');
const { handler, pickRegion, bucketFor, fnv1a } = require('./index.js');

/** A CloudFront origin-request event as Lambda@Edge receives it. */
function event({ country, clientIp = '203.0.113.7', unhealthy } = {}) {
  const headers = { host: [{ key: 'Host', value: 'api.wonderway.com' }] };
  if (country) headers['cloudfront-viewer-country'] = [{ key: 'CloudFront-Viewer-Country', value: country }];
  const customHeaders = unhealthy ? { 'x-wonderway-unhealthy': [{ key: 'X-WonderWay-Unhealthy', value: unhealthy }] } : {};
  return {
    Records: [{
      cf: {
        config: { eventType: 'origin-request' },
        request: {
          clientIp, method: 'GET', uri: '/feed', querystring: '', headers,
          origin: { custom: { domainName: 'api.wonderway.com', port: 443, protocol: 'https', path: '', customHeaders } },
        },
      },
    }],
  };
}

test('countries go to the region of the geolocation map', () => {
  const expected = {
    US: 'us-east-1', CA: 'us-east-1', MX: 'us-east-1',
    GB: 'eu-west-1', DE: 'eu-west-1', FR: 'eu-west-1', IT: 'eu-west-1', ES: 'eu-west-1', NL: 'eu-west-1', BE: 'eu-west-1',
    JP: 'ap-southeast-1', KR: 'ap-southeast-1', SG: 'ap-southeast-1', AU: 'ap-southeast-1',
    IN: 'ap-southeast-1', TH: 'ap-southeast-1', VN: 'ap-southeast-1',
  };
  for (const [country, region] of Object.entries(expected)) {
    assert.equal(pickRegion(country, new Set()), region, country);
  }
});

test('unknown and missing countries use the default region', () => {
  assert.equal(pickRegion('BR', new Set()), 'us-east-1');
  assert.equal(pickRegion('', new Set()), 'us-east-1');
});

test('an unhealthy region falls back in order', () => {
  assert.equal(pickRegion('DE', new Set(['eu-west-1'])), 'us-east-1');
  assert.equal(pickRegion('DE', new Set(['eu-west-1', 'us-east-1'])), 'ap-southeast-1');
  assert.equal(pickRegion('JP', new Set(['ap-southeast-1'])), 'us-east-1');
  // Everything down: stay with the preferred region rather than fail.
  assert.equal(pickRegion('US', new Set(['us-east-1', 'eu-west-1', 'ap-southeast-1'])), 'us-east-1');
});

// Where each country's users go with one region lost: where DNS sends them
// (the geolocation map's next wider location, the default), and where DNS
// has no healthy answer left (the default is the lost region), the nearest
// other region.
const LOSSES = {
  'us-east-1': { US: 'eu-west-1', CA: 'eu-west-1', MX: 'eu-west-1', BR: 'eu-west-1', DE: 'eu-west-1', VN: 'ap-southeast-1' },
  'eu-west-1': {
    GB: 'us-east-1', DE: 'us-east-1', FR: 'us-east-1', IT: 'us-east-1', ES: 'us-east-1', NL: 'us-east-1', BE: 'us-east-1',
    US: 'us-east-1', JP: 'ap-southeast-1',
  },
  'ap-southeast-1': {
    JP: 'us-east-1', KR: 'us-east-1', SG: 'us-east-1', AU: 'us-east-1', IN: 'us-east-1', TH: 'us-east-1', VN: 'us-east-1',
    GB: 'eu-west-1', US: 'us-east-1',
  },
};

for (const [lost, expected] of Object.entries(LOSSES)) {
  test(`with ${lost} lost, each country goes where DNS sends it`, async () => {
    for (const [country, region] of Object.entries(expected)) {
      assert.equal(pickRegion(country, new Set([lost])), region, `${country} with ${lost} lost`);
      const request = await handler(event({ country, unhealthy: lost }));
      assert.equal(request.origin.custom.domainName, `${region}.api.wonderway.com`, country);
    }
  });
}

test('every country in routing.json starts with the region of the geolocation map or the default', () => {
  const routing = require('./routing.json');
  for (const [country, order] of Object.entries(routing.countries)) {
    assert.equal(new Set(order).size, order.length, `${country}: each region once`);
    assert.deepEqual([...order].sort(), Object.keys(routing.origins).sort(), `${country}: every region`);
  }
});

test('the handler rewrites the origin and passes the decision on as headers', async () => {
  const request = await handler(event({ country: 'JP' }));
  assert.equal(request.origin.custom.domainName, 'ap-southeast-1.api.wonderway.com');
  assert.equal(request.headers.host[0].value, 'ap-southeast-1.api.wonderway.com');
  assert.equal(request.headers['x-wonderway-region'][0].value, 'ap-southeast-1');
  assert.equal(request.headers['x-wonderway-country'][0].value, 'JP');
  assert.match(request.headers['x-wonderway-bucket'][0].value, /^(experiment|control)$/);
});

test('the handler reads unhealthy regions from the origin custom header', async () => {
  const request = await handler(event({ country: 'GB', unhealthy: 'eu-west-1, ap-southeast-1' }));
  assert.equal(request.headers['x-wonderway-region'][0].value, 'us-east-1');
  assert.equal(request.origin.custom.domainName, 'us-east-1.api.wonderway.com');
});

test('a request without a country header goes to the default region', async () => {
  const request = await handler(event({}));
  assert.equal(request.headers['x-wonderway-region'][0].value, 'us-east-1');
  assert.equal(request.headers['x-wonderway-country'][0].value, 'unknown');
});

test('FNV-1a matches the published test vectors', () => {
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(fnv1a('foobar'), 0xbf9cf968);
});

test('bucketing is stable per client and puts about 10% in the experiment', () => {
  assert.equal(bucketFor('198.51.100.23'), bucketFor('198.51.100.23'));
  let experiment = 0;
  const clients = 20000;
  for (let i = 0; i < clients; i++) {
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    if (bucketFor(ip) === 'experiment') experiment++;
  }
  const share = experiment / clients;
  assert.ok(share > 0.08 && share < 0.12, `experiment share ${share}`);
});
