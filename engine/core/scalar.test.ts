import { expect, test } from 'vitest';
import { formatPyFloat } from './scalar';

test('floats print like Python repr', () => {
  expect([1, 0.1, 1e-5, 1e-4, 2.5, 1e16, 123456.75, -0.5, 1e-7, 0.0001234].map(formatPyFloat)).toEqual([
    '1.0', '0.1', '1e-05', '0.0001', '2.5', '1e+16', '123456.75', '-0.5', '1e-07', '0.0001234',
  ]);
});
