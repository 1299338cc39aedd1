"""The numpy peer of `npm run bench:backtest`: the same SMA-crossover sweep as
src/backtest/sweep.ts (same fills, fees and slippage, same arithmetic order), vectorized across
the parameter pairs and stepped through time, the way a numpy backtest of a path-dependent
portfolio is written. Reads bars and pairs from a JSON file; prints JSON with the median time
and each run's final equity so the bench can check both computed the same thing."""
import json
import sys
import time

import numpy as np


def sweep(open_, close, volume, fast, slow, cost, cash0, delay):
    T = close.shape[0]
    K = fast.shape[0]
    ps = np.concatenate([[0.0], np.cumsum(close)])
    t = np.arange(T)
    full = (t[None, :] + 1) >= slow[:, None]
    lo_f = np.clip(t[None, :] + 1 - fast[:, None], 0, None)
    lo_s = np.clip(t[None, :] + 1 - slow[:, None], 0, None)
    fast_mean = (ps[t + 1][None, :] - ps[lo_f]) / fast[:, None]
    slow_mean = (ps[t + 1][None, :] - ps[lo_s]) / slow[:, None]
    W = np.where(full & (fast_mean > slow_mean), 1.0, 0.0)

    cash = np.full(K, cash0)
    shares = np.zeros(K)
    fills = np.zeros(K, dtype=np.int64)
    prev = cash.copy()
    s1 = np.zeros(K)
    s2 = np.zeros(K)
    per_share, bps, min_fee = cost["per_share"], cost["bps"], cost["min_per_order"]
    fixed = cost["fixed_bps"] / 1e4
    impact, cap_share = cost["price_impact"], cost["participation_cap"]
    for i in range(T):
        if i >= delay:
            w = W[:, i - delay]
            price = open_[i]
            eq = np.where(shares != 0, cash + shares * price, cash)
            ordered = w * eq / price - shares
            cap = cap_share * max(0.0, volume[i])
            filled = np.where(np.abs(ordered) > cap, np.sign(ordered) * cap, ordered)
            share = np.abs(filled) / volume[i] if volume[i] > 0 else np.zeros(K)
            slip = fixed + impact * share * share
            px = price * (1 + np.sign(filled) * slip)
            q = np.abs(filled)
            fee = np.maximum(min_fee, q * per_share + q * px * bps / 1e4)
            trade = (np.abs(ordered) >= 1e-12) & (filled != 0)
            shares = np.where(trade, shares + filled, shares)
            cash = np.where(trade, cash - (filled * px + fee), cash)
            fills += trade
        equity = np.where(shares != 0, cash + shares * close[i], cash)
        if i > 0:
            r = equity / prev - 1
            s1 += r
            s2 += r * r
        prev = equity
    return prev, fills


def main():
    spec = json.load(open(sys.argv[1]))
    open_ = np.array(spec["open"], dtype=np.float64)
    close = np.array(spec["close"], dtype=np.float64)
    volume = np.array(spec["volume"], dtype=np.float64)
    fast = np.array([p[0] for p in spec["pairs"]], dtype=np.int64)
    slow = np.array([p[1] for p in spec["pairs"]], dtype=np.int64)
    times = []
    for _ in range(spec["runs"]):
        t0 = time.perf_counter()
        final, fills = sweep(open_, close, volume, fast, slow, spec["cost"], spec["cash"], spec["delay"])
        times.append(time.perf_counter() - t0)
    times.sort()
    print(json.dumps({"median_s": times[len(times) // 2], "final": final.tolist(), "fills": fills.tolist(), "numpy": np.__version__}))


if __name__ == "__main__":
    main()
