'use strict';
// WonderWay's Lambda@Edge origin-request router.
//
// For each request that reaches the origin it:
// 1. picks the regional origin from the CloudFront-Viewer-Country header:
//    the first region of the country's order in routing.json that is not
//    marked unhealthy. routing.json is written from the topology by
//    `wway export edge-routing` (and `wway validate` says when it is not):
//    each country's regions in the order DNS falls back (the geolocation
//    record's own region, its continent's, the default), then the others,
//    nearest first, so the CDN and DNS agree on who serves whom. Operators
//    mark regions unhealthy in the origin's custom header
//    `x-wonderway-unhealthy` (comma-separated regions), which CloudFront
//    sets and clients cannot forge;
// 2. puts a stable 10% of clients (FNV-1a hash of the client IP) in the
//    `experiment` bucket, the rest in `control`;
// and passes region, country and bucket on to the origin as headers.

const routing = require('./routing.json');

const UNHEALTHY_HEADER = 'x-wonderway-unhealthy';

/** The share of clients, in percent, in the `experiment` bucket. */
const EXPERIMENT_PERCENT = 10;

/** The region to serve `country` from, avoiding the `unhealthy` ones (all
 * unhealthy: its first, rather than fail). */
function pickRegion(country, unhealthy) {
  const order = routing.countries[country] || routing.default;
  return order.find((region) => !unhealthy.has(region)) || order[0];
}

/** 32-bit FNV-1a of a string: stable across runs, processes and regions. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `experiment` for a stable `EXPERIMENT_PERCENT` of client IPs, else `control`. */
function bucketFor(clientIp) {
  return fnv1a(clientIp || '') % 100 < EXPERIMENT_PERCENT ? 'experiment' : 'control';
}

/** The regions named in the origin's unhealthy header. */
function unhealthyRegions(origin) {
  const headers = (origin && origin.custom && origin.custom.customHeaders) || {};
  const values = (headers[UNHEALTHY_HEADER] || []).map((h) => h.value).join(',');
  return new Set(values.split(',').map((r) => r.trim()).filter(Boolean));
}

function header(request, name) {
  const values = request.headers[name.toLowerCase()];
  return values && values.length > 0 ? values[0].value : undefined;
}

function setHeader(request, name, value) {
  request.headers[name.toLowerCase()] = [{ key: name, value }];
}

async function handler(event) {
  const request = event.Records[0].cf.request;
  const country = (header(request, 'CloudFront-Viewer-Country') || '').toUpperCase();
  const region = pickRegion(country, unhealthyRegions(request.origin));
  const domainName = routing.origins[region];

  if (request.origin && request.origin.custom) {
    request.origin.custom.domainName = domainName;
  }
  setHeader(request, 'Host', domainName);
  setHeader(request, 'X-WonderWay-Region', region);
  setHeader(request, 'X-WonderWay-Country', country || 'unknown');
  setHeader(request, 'X-WonderWay-Bucket', bucketFor(request.clientIp));
  return request;
}

module.exports = { handler, pickRegion, bucketFor, fnv1a, unhealthyRegions };
