"""The peer of `npm run bench:rl`'s environment figure: a step loop written the way FinRL's
StockTradingEnv is (a pandas DataFrame indexed by day, `df.loc[day]` each step, Python lists
for the state, argsort to sell first then buy, per-asset cost percentages), on the same
synthetic 30-asset market the TypeScript environment steps through. Prints steps per second."""
import json
import sys
import time

import numpy as np
import pandas as pd


def main():
    spec = json.load(open(sys.argv[1]))
    D, T, K = spec["assets"], spec["sessions"], spec["features"]
    close = np.array(spec["close"]).reshape(D, T)
    feats = np.array(spec["feature_values"]).reshape(K, D, T)
    rows = []
    for t in range(T):
        for i in range(D):
            rows.append([t, f"S{i}", close[i, t]] + [feats[k, i, t] for k in range(K)])
    tech = [f"f{k}" for k in range(K)]
    df = pd.DataFrame(rows, columns=["day", "tic", "close"] + tech).set_index("day")
    hmax, cash0, cost_pct, scaling = 100, 1_000_000.0, 0.001, 1e-4
    rng = np.random.default_rng(1)
    steps = spec["steps"]

    t0 = time.perf_counter()
    day, data = 0, df.loc[0]
    state = [cash0] + data.close.values.tolist() + [0] * D + sum((data[t].values.tolist() for t in tech), [])
    for _ in range(steps):
        actions = (rng.uniform(-1, 1, D) * hmax).astype(int)
        begin = state[0] + sum(np.array(state[1:D + 1]) * np.array(state[D + 1:2 * D + 1]))
        order = np.argsort(actions)
        sells = order[: np.where(actions < 0)[0].shape[0]]
        buys = order[::-1][: np.where(actions > 0)[0].shape[0]]
        for i in sells:
            if state[i + 1] > 0 and state[i + D + 1] > 0:
                n = min(abs(actions[i]), state[i + D + 1])
                state[0] += state[i + 1] * n * (1 - cost_pct)
                state[i + D + 1] -= n
        for i in buys:
            if state[i + 1] > 0:
                n = min(state[0] // (state[i + 1] * (1 + cost_pct)), actions[i])
                state[0] -= state[i + 1] * n * (1 + cost_pct)
                state[i + D + 1] += n
        day = day + 1 if day + 1 < T else 0
        data = df.loc[day]
        state = [state[0]] + data.close.values.tolist() + list(state[D + 1:2 * D + 1]) + sum((data[t].values.tolist() for t in tech), [])
        end = state[0] + sum(np.array(state[1:D + 1]) * np.array(state[D + 1:2 * D + 1]))
        reward = (end - begin) * scaling
        if day == 0:
            state = [cash0] + data.close.values.tolist() + [0] * D + sum((data[t].values.tolist() for t in tech), [])
    seconds = time.perf_counter() - t0
    print(json.dumps({"steps_per_s": steps / seconds, "pandas": pd.__version__}))


if __name__ == "__main__":
    main()
