"""The Python peer of bench/serving.sh: the churn model in scikit-learn, served the way MLflow's scoring server does it
(FastAPI + uvicorn, the JSON body turned into a pandas DataFrame, a pickled sklearn Pipeline's predict_proba).

Run with Debian's interpreter (/usr/bin/python3: python3-sklearn, python3-pandas, python3-numpy, python3-fastapi,
python3-uvicorn):

    /usr/bin/python3 serve_sklearn.py train --data train.csv --test test.csv --model churn.pkl
    MLOPS_PEER_MODEL=churn.pkl /usr/bin/python3 -m uvicorn serve_sklearn:app --app-dir bench/peer \
        --host 127.0.0.1 --port 8081 --workers 2 --no-access-log --log-level warning

The model is as close to the MlOps.Ci sample's FastTree (200 trees, 16 leaves, learning rate 0.05) as scikit-learn
allows: GradientBoostingClassifier(n_estimators=200, max_leaf_nodes=16, learning_rate=0.05), exact greedy boosting of
regression trees on the log-loss. Features are the sample's: CustomerId ignored, Churned the label (positive class
"Yes"), numeric columns with missing values replaced by the training mean (what the exported ONNX model does), the
yes/no column as 1/0, categorical columns one-hot encoded (missing as its own "" category, unseen values ignored).
HistGradientBoostingClassifier is not used: its per-call OpenMP thread pool makes single-row prediction slower, and
with 2 workers on 2 cores it would oversubscribe them.

POST /predict takes exactly what MlOps.Ci's /predict takes: one row (an object), an array of rows, or
{"rows": [...]}, values by column name, a missing or unknown column answered 400; it answers
{"model": ..., "predictions": [{"predictedLabel": "Yes", "probability": 0.83}, ...]}.
"""

import argparse
import json
import math
import os
import pickle
import sys
import time

import pandas as pd

LABEL = "Churned"
IGNORED = ("CustomerId",)
POSITIVE = "Yes"
MISSING = ("", "NA", "N/A", "NaN", "null")
TRUE = {"true", "yes", "y", "t", "1"}
FALSE = {"false", "no", "n", "f", "0"}


def infer_kinds(frame):
    """numeric / boolean / categorical for each feature column, from the training data (as MlOps.Ci infers them)."""
    kinds = {}
    for name in frame.columns:
        if name == LABEL or name in IGNORED:
            continue
        values = frame[name].dropna()
        if pd.api.types.is_numeric_dtype(frame[name]) and not set(values.unique()) <= {0, 1}:
            kinds[name] = "numeric"
        elif values.astype(str).str.lower().isin(TRUE | FALSE).all():
            kinds[name] = "boolean"
        elif pd.api.types.is_numeric_dtype(frame[name]):
            kinds[name] = "numeric"
        else:
            kinds[name] = "categorical"
    return kinds


def is_null(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def to_number(value):
    if is_null(value):
        return math.nan
    if isinstance(value, str):
        text = value.strip()
        return math.nan if text in MISSING else float(text)
    return float(value)


def to_bool(value):
    if is_null(value):
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    text = str(value).strip()
    if text.lower() in TRUE:
        return 1.0
    if text.lower() in FALSE:
        return 0.0
    if text in MISSING:
        return math.nan
    raise ValueError(f"{value!r} is not a boolean")


def to_category(value):
    if is_null(value):
        return ""
    text = str(value).strip()
    return "" if text in MISSING else text


CONVERT = {"numeric": to_number, "boolean": to_bool, "categorical": to_category}


def features(rows, kinds):
    """The model's input DataFrame from rows (dicts by column name), for training and serving alike: numbers as float
    (missing markers as NaN), yes/no as 1/0, categories as str ("" when missing). Converted in plain Python, then one
    DataFrame: per-column pandas operations cost milliseconds on a one-row frame."""
    return pd.DataFrame({name: [CONVERT[kind](row[name]) for row in rows] for name, kind in kinds.items()})


def build_pipeline(kinds):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    numeric = [n for n, k in kinds.items() if k in ("numeric", "boolean")]
    categorical = [n for n, k in kinds.items() if k == "categorical"]
    prepare = ColumnTransformer([
        ("numeric", SimpleImputer(strategy="mean"), numeric),
        ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
    ])
    model = GradientBoostingClassifier(n_estimators=200, max_leaf_nodes=16, learning_rate=0.05, random_state=42)
    return Pipeline([("prepare", prepare), ("model", model)])


def train(arguments):
    from sklearn.metrics import log_loss, roc_auc_score

    data = pd.read_csv(arguments.data, keep_default_na=False, na_values=list(MISSING))
    kinds = infer_kinds(data)
    pipeline = build_pipeline(kinds)
    started = time.perf_counter()
    pipeline.fit(features(data.to_dict("records"), kinds), (data[LABEL].astype(str) == POSITIVE).astype(int))
    seconds = time.perf_counter() - started
    report = {"trainer": "sklearn.ensemble.GradientBoostingClassifier(n_estimators=200, max_leaf_nodes=16, learning_rate=0.05)",
              "sklearn": __import__("sklearn").__version__, "rows": len(data), "train_seconds": round(seconds, 3), "kinds": kinds}
    if arguments.test:
        test = pd.read_csv(arguments.test, keep_default_na=False, na_values=list(MISSING))
        probability = pipeline.predict_proba(features(test.to_dict("records"), kinds))[:, 1]
        truth = (test[LABEL].astype(str) == POSITIVE).astype(int)
        report["AUC"] = round(float(roc_auc_score(truth, probability)), 4)
        report["LogLoss"] = round(float(log_loss(truth, probability)), 4)
    with open(arguments.model, "wb") as stream:
        pickle.dump({"pipeline": pipeline, "kinds": kinds}, stream)
    print(json.dumps(report))


class Rejected(Exception):
    pass


def rows_of(body):
    if isinstance(body, dict) and "rows" in body:
        body = body["rows"]
    rows = [body] if isinstance(body, dict) else body
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Rejected("The body must be a row (an object), an array of rows or {\"rows\": [...]}.")
    return rows


def predict(pipeline, kinds, rows):
    expected = set(kinds)
    for i, row in enumerate(rows):
        if row.keys() != expected:
            missing, unknown = sorted(expected - row.keys()), sorted(row.keys() - expected)
            raise Rejected(f"Row {i}: missing column(s) {missing}, unknown column(s) {unknown}.")
    try:
        frame = features(rows, kinds)
    except (ValueError, TypeError) as error:
        raise Rejected(str(error)) from error
    probability = pipeline.predict_proba(frame)[:, 1]
    return [{"predictedLabel": POSITIVE if p >= 0.5 else "No", "probability": float(p)} for p in probability]


def create_app():
    from fastapi import FastAPI, Request
    from fastapi.responses import Response

    with open(os.environ["MLOPS_PEER_MODEL"], "rb") as stream:
        saved = pickle.load(stream)
    pipeline, kinds = saved["pipeline"], saved["kinds"]
    application = FastAPI()

    def answer(status, document):
        return Response(content=json.dumps(document), status_code=status, media_type="application/json")

    @application.post("/predict")
    async def predict_endpoint(request: Request):
        # Like MLflow's /invocations: the raw body parsed here, then a pandas DataFrame, then the model, inline on the
        # worker's event loop (the work is CPU-bound; a thread pool hop would only add latency).
        try:
            body = json.loads(await request.body())
            return answer(200, {"model": "churn-sklearn", "predictions": predict(pipeline, kinds, rows_of(body))})
        except json.JSONDecodeError as error:
            return answer(400, {"error": f"The body is not valid JSON: {error}"})
        except Rejected as error:
            return answer(400, {"error": str(error)})

    @application.get("/health")
    async def health():
        return answer(200, {"status": "ok"})

    return application


if os.environ.get("MLOPS_PEER_MODEL"):
    app = create_app()

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train_command = commands.add_parser("train", help="train the churn model and pickle it")
    train_command.add_argument("--data", required=True)
    train_command.add_argument("--test")
    train_command.add_argument("--model", required=True)
    arguments = parser.parse_args()
    if arguments.command == "train":
        train(arguments)
    sys.exit(0)
