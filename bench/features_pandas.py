"""The core_v1 feature computations in pandas, for npm run bench:features: the peer measured
in the same run. Reads the bars CSV, computes per symbol (groupby) and cross-sectionally (per
date), and prints the elapsed seconds of read + compute as JSON."""
import json
import sys
import time

import numpy as np
import pandas as pd


def ema(s, n, wilder=False):
    alpha = 1 / n if wilder else 2 / (n + 1)
    seeded = s.copy()
    first = s.first_valid_index()
    if first is None:
        return s * np.nan
    pos = s.index.get_loc(first)
    out = s * np.nan
    if len(s) - pos < n:
        return out
    seed_at = s.index[pos + n - 1]
    seeded.iloc[: pos + n - 1] = np.nan
    seeded.loc[seed_at] = s.iloc[pos : pos + n].mean()
    return seeded.ewm(alpha=alpha, adjust=False, ignore_na=True).mean().where(seeded.index >= seed_at)


def per_symbol(g):
    c, h, l, o, v = g["close"], g["high"], g["low"], g["open"], g["volume"]
    out = pd.DataFrame(index=g.index)
    lr = np.log(c / c.shift(1))
    out["ret_1d"] = lr
    out["ret_5d"] = np.log(c / c.shift(5))
    out["ret_21d"] = np.log(c / c.shift(21))
    out["sma_20"] = c.rolling(20).mean()
    out["ema_20"] = ema(c, 20)
    d = c.diff()
    up, dn = d.clip(lower=0), (-d).clip(lower=0)
    au, ad = ema(up, 14, True), ema(dn, 14, True)
    out["rsi_14"] = 100 * au / (au + ad)
    tr = pd.concat([h, c.shift(1)], axis=1).max(axis=1) - pd.concat([l, c.shift(1)], axis=1).min(axis=1)
    tr.iloc[0] = np.nan
    out["atr_14"] = ema(tr, 14, True)
    mid = c.rolling(20).mean()
    sd = c.rolling(20).std(ddof=0)
    out["bb_lower"], out["bb_mid"], out["bb_upper"] = mid - 2 * sd, mid, mid + 2 * sd
    m = ema(c, 12) - ema(c, 26)
    out["macd"], out["macd_signal"] = m, ema(m, 9)
    out["roc_log_14"] = np.log(c / c.shift(14))
    out["vol_close_20"] = np.sqrt(252) * lr.rolling(19).std()
    out["vol_parkinson_20"] = np.sqrt(252 / (4 * 20 * np.log(2)) * (np.log(h / l) ** 2).rolling(20).sum())
    out["vol_gk_20"] = np.sqrt(252 / 20 * (0.5 * np.log(h / l) ** 2 - (2 * np.log(2) - 1) * np.log(c / o) ** 2).rolling(20).sum())
    out["hl_range"] = (h - l) / c
    out["dollar_volume_20"] = (c * v).rolling(20).mean()
    out["volume_z_20"] = (v - v.shift(1).rolling(20).mean()) / v.shift(1).rolling(20).std()
    out["amihud_20"] = (1e6 * lr.abs() / (c * v)).rolling(20).mean()
    return out


def main(path):
    t0 = time.perf_counter()
    bars = pd.read_csv(path)
    bars = bars.sort_values(["symbol", "date"]).reset_index(drop=True)
    feats = bars.groupby("symbol", group_keys=False).apply(per_symbol)
    feats["date"], feats["symbol"] = bars["date"], bars["symbol"]
    g = feats.groupby("date")["ret_21d"]
    feats["xs_rank_ret_21d"] = g.rank(method="min").sub(1).div(g.transform("count").sub(1))
    feats["xs_z_ret_21d"] = (feats["ret_21d"] - g.transform("mean")) / g.transform(lambda x: x.std(ddof=0))
    feats["xs_demeaned_ret_1d"] = feats["ret_1d"] - feats.groupby("date")["ret_1d"].transform("mean")
    elapsed = time.perf_counter() - t0
    print(json.dumps({"seconds": elapsed, "rows": len(feats), "columns": feats.shape[1] - 2}))


if __name__ == "__main__":
    main(sys.argv[1])
