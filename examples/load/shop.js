// k6 load test for demo-shop: two scenarios against BASE_URL (e.g. http://127.0.0.1:8080).
//   k6 run --env BASE_URL=http://127.0.0.1:8080 examples/load/shop.js
// Every request carries a `name` tag, so per-endpoint statistics can be computed from the --out json stream.
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const DURATION = __ENV.DURATION || '20s';
const SEARCH_TERMS = ['red', 'mug', 'steel lamp', 'classic chair', 'smart speaker', 'soft pillow'];
const JSON_HEADERS = { headers: { 'Content-Type': 'application/json' } };

export const options = {
  scenarios: {
    // Shoppers looking around: a fixed number of users browsing back to back.
    browse: { executor: 'constant-vus', exec: 'browse', vus: 3, duration: DURATION, gracefulStop: '2s' },
    // Buyers arriving at a fixed rate, whatever the response times: login, add to cart, check out.
    checkout: {
      executor: 'constant-arrival-rate',
      exec: 'buy',
      rate: 3,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: 4,
      maxVUs: 8,
      gracefulStop: '2s',
    },
  },
  // Thresholds are the team's alarms during the run; the release targets live in release.yaml.
  // A threshold on a tagged metric also makes k6 export that submetric in --summary-export.
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_failed{name:login}': ['rate<0.01'],
    'http_req_duration{name:checkout}': ['p(95)<200'],
    'http_req_duration{name:search}': ['p(95)<100'],
    'http_req_duration{name:login}': ['p(95)<100'],
    'http_reqs{scenario:browse}': ['count>0'],
    'http_reqs{scenario:checkout}': ['count>0'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count'],
};

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

function productId() {
  return 1 + Math.floor(Math.random() * 200);
}

export function browse() {
  const page = 1 + Math.floor(Math.random() * 10);
  const list = http.get(`${BASE_URL}/api/products?page=${page}`, { tags: { name: 'products' } });
  check(list, { 'products: status 200': (r) => r.status === 200 });

  const one = http.get(`${BASE_URL}/api/products/${productId()}`, { tags: { name: 'product' } });
  check(one, { 'product: status 200': (r) => r.status === 200 });

  const query = encodeURIComponent(pick(SEARCH_TERMS));
  const found = http.get(`${BASE_URL}/api/search?q=${query}`, { tags: { name: 'search' } });
  check(found, { 'search: status 200': (r) => r.status === 200 });

  sleep(0.2);
}

export function buy() {
  const credentials = JSON.stringify({ user: `buyer-${__VU}`, password: 'demo' });
  const login = http.post(`${BASE_URL}/api/login`, credentials, { ...JSON_HEADERS, tags: { name: 'login' } });
  if (!check(login, { 'login: status 200': (r) => r.status === 200 })) {
    return; // a buyer who cannot log in leaves the shop
  }

  const item = { product_id: productId(), quantity: 1 + Math.floor(Math.random() * 3) };
  const cart = http.post(`${BASE_URL}/api/cart`, JSON.stringify(item), { ...JSON_HEADERS, tags: { name: 'cart' } });
  check(cart, { 'cart: status 200': (r) => r.status === 200 });

  const order = JSON.stringify({ items: [item] });
  const done = http.post(`${BASE_URL}/api/checkout`, order, { ...JSON_HEADERS, tags: { name: 'checkout' } });
  check(done, { 'checkout: status 200': (r) => r.status === 200 });
}
