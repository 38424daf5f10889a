#!/usr/bin/env python3
"""Generates the churn sample's data: a synthetic telecom customer table whose churn depends on contract, tenure,
charges, support calls and service, with categorical columns and missing values like real exports have.

Deterministic: the same seed gives byte-identical files on every machine (only the standard library's Mersenne Twister
and fixed formatting are used). Regenerate with:  python3 samples/churn/generate_data.py
"""
import math
import os
import random

SEED = 20261127
TRAIN_ROWS = 4000
TEST_ROWS = 1000

CONTRACTS = [("Month-to-month", 0.55), ("One year", 0.25), ("Two year", 0.20)]
PLANS = [("Basic", 0.40), ("Standard", 0.35), ("Premium", 0.25)]
PAYMENTS = [("Electronic check", 0.34), ("Mailed check", 0.22), ("Bank transfer", 0.22), ("Credit card", 0.22)]
INTERNET = [("DSL", 0.35), ("Fiber optic", 0.45), ("None", 0.20)]
REGIONS = [("North", 0.3), ("South", 0.3), ("East", 0.2), ("West", 0.2)]


def pick(rng, choices):
    r = rng.random()
    total = 0.0
    for value, weight in choices:
        total += weight
        if r < total:
            return value
    return choices[-1][0]


def row(rng, index):
    contract = pick(rng, CONTRACTS)
    plan = pick(rng, PLANS)
    internet = pick(rng, INTERNET)
    payment = pick(rng, PAYMENTS)
    region = pick(rng, REGIONS) if rng.random() > 0.04 else ""
    senior = rng.random() < 0.16
    tenure = max(0, min(72, int(rng.expovariate(1 / (30 if contract != "Month-to-month" else 14)))))
    base = {"Basic": 30.0, "Standard": 60.0, "Premium": 90.0}[plan]
    monthly = round(base + (15.0 if internet == "Fiber optic" else 0.0) + rng.gauss(0, 8), 2)
    total = round(monthly * tenure + rng.gauss(0, 20), 2) if tenure > 0 else 0.0
    calls = min(12, int(rng.expovariate(1 / 1.6)))
    data_gb = round(max(0.0, rng.gauss(40 if internet != "None" else 2, 15)), 1)

    logit = -1.1
    logit += {"Month-to-month": 1.4, "One year": -0.3, "Two year": -1.6}[contract]
    logit += -0.045 * tenure
    logit += 0.018 * (monthly - 60)
    logit += 0.38 * calls
    logit += 0.6 if internet == "Fiber optic" else 0.0
    logit += 0.45 if payment == "Electronic check" else 0.0
    logit += 0.35 if senior else 0.0
    churned = rng.random() < 1 / (1 + math.exp(-logit))

    # Real exports have holes: a few charges and usage figures are missing.
    total_text = "" if rng.random() < 0.015 else f"{total:.2f}"
    data_text = "NA" if rng.random() < 0.03 else f"{data_gb:.1f}"
    return [f"C{index:06d}", str(tenure), f"{monthly:.2f}", total_text, contract, plan, payment, internet, region,
            "Yes" if senior else "No", str(calls), data_text, "Yes" if churned else "No"]


def write(path, rows):
    header = ["CustomerId", "Tenure", "MonthlyCharges", "TotalCharges", "Contract", "Plan", "PaymentMethod",
              "InternetService", "Region", "SeniorCitizen", "SupportCalls", "DataUsageGb", "Churned"]
    with open(path, "w", newline="\n", encoding="utf-8") as out:
        out.write(",".join(header) + "\n")
        for values in rows:
            out.write(",".join(values) + "\n")


def main():
    rng = random.Random(SEED)
    rows = [row(rng, i + 1) for i in range(TRAIN_ROWS + TEST_ROWS)]
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    os.makedirs(here, exist_ok=True)
    write(os.path.join(here, "train.csv"), rows[:TRAIN_ROWS])
    write(os.path.join(here, "test.csv"), rows[TRAIN_ROWS:])


if __name__ == "__main__":
    main()
