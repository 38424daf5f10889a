#!/usr/bin/python3
"""Trains the churn classifier with scikit-learn and writes it as an ONNX model for MlOps.Ci.

MlOps.Ci runs this script as the project's TrainerCommand (see churn-python.mlproj) and hands it:
  --data             the training rows: one CSV with the feature columns and the label, booleans as 0/1,
                     missing values empty (ignored columns are already left out)
  --schema           JSON: the task, the label, its positive class, and each feature with the tensor type
                     the model must take it as ("float" or "string")
  --hyperparameters  JSON: the project's <Hyperparameter> items, name -> value (strings)
  --seed             the project's Seed
  --out              where to write the ONNX model

The model takes one [N,1] input per feature column, named after it, and returns "Probability" (float [N,1]),
"Score" (float [N,1], the logit) and "PredictedLabel" (bool [N,1]): what MlOps.Ci evaluates, packages and serves.
Featurization is part of the graph (mean imputation, standardization, one-hot encoding), so serving featurizes
exactly like training did. skl2onnx is not needed: the graph is a handful of nodes built from the fitted numbers.

Needs Debian's python3-sklearn, python3-onnx and python3-numpy.
"""
import argparse
import csv
import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LogisticRegression

# ONNX Runtime 1.31 (MlOps.Ci's) runs these; onnx 1.12 (Debian 12's) writes and checks them.
OPSET = 15
ML_OPSET = 3
IR_VERSION = 8


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def fit_featurization(rows, schema):
    """Learns what the graph needs from the training rows: per numeric column its mean and scale, per categorical its categories."""
    numeric, categorical = [], []
    for feature in schema["features"]:
        name = feature["name"]
        if feature["elementType"] == "float":
            values = np.array([float(row[name]) if row[name] != "" else np.nan for row in rows], dtype=np.float64)
            mean = float(np.nanmean(values))
            scale = float(np.nanstd(values)) or 1.0
            numeric.append({"name": name, "values": values, "mean": mean, "scale": scale})
        else:
            # A missing category ("") and one never seen in training both one-hot encode to all zeros.
            categories = sorted({row[name] for row in rows if row[name] != ""})
            categorical.append({"name": name, "values": [row[name] for row in rows], "categories": categories})
    return numeric, categorical


def featurize(numeric, categorical):
    """The training matrix, computed exactly as the ONNX graph below computes it at scoring time."""
    blocks = []
    for column in numeric:
        imputed = np.where(np.isnan(column["values"]), column["mean"], column["values"])
        blocks.append(((imputed - column["mean"]) / column["scale"]).reshape(-1, 1))
    for column in categorical:
        index = {category: i for i, category in enumerate(column["categories"])}
        onehot = np.zeros((len(column["values"]), len(index)))
        for row, value in enumerate(column["values"]):
            if value in index:
                onehot[row, index[value]] = 1.0
        blocks.append(onehot)
    return np.hstack(blocks)


def build_graph(numeric, categorical, model):
    """Inputs → impute and scale the numbers, one-hot the categories → concatenate → logistic regression."""
    nodes, initializers, inputs = [], [], []

    def constant(name, array):
        initializers.append(numpy_helper.from_array(array, name))
        return name

    blocks = []
    if numeric:
        names = [column["name"] for column in numeric]
        inputs += [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", 1]) for name in names]
        nodes.append(helper.make_node("Concat", names, ["numbers"], axis=1))
        means = constant("means", np.array([[c["mean"] for c in numeric]], dtype=np.float32))
        scales = constant("scales", np.array([[c["scale"] for c in numeric]], dtype=np.float32))
        nodes.append(helper.make_node("IsNaN", ["numbers"], ["missing"]))
        nodes.append(helper.make_node("Where", ["missing", means, "numbers"], ["imputed"]))
        nodes.append(helper.make_node("Sub", ["imputed", means], ["centered"]))
        nodes.append(helper.make_node("Div", ["centered", scales], ["scaled"]))
        blocks.append("scaled")

    for column in categorical:
        name, width = column["name"], len(column["categories"])
        inputs.append(helper.make_tensor_value_info(name, TensorProto.STRING, ["N", 1]))
        # OneHotEncoder gives [N, 1, categories]; zeros=1 encodes an unknown category as all zeros instead of failing.
        nodes.append(helper.make_node("OneHotEncoder", [name], [f"{name}.onehot3d"], domain="ai.onnx.ml",
                                      cats_strings=column["categories"], zeros=1))
        shape = constant(f"{name}.shape", np.array([-1, width], dtype=np.int64))
        nodes.append(helper.make_node("Reshape", [f"{name}.onehot3d", shape], [f"{name}.onehot"]))
        blocks.append(f"{name}.onehot")

    nodes.append(helper.make_node("Concat", blocks, ["features"], axis=1))
    weights = constant("weights", model.coef_.astype(np.float32).T)
    bias = constant("bias", model.intercept_.astype(np.float32))
    nodes.append(helper.make_node("MatMul", ["features", weights], ["margin"]))
    nodes.append(helper.make_node("Add", ["margin", bias], ["Score"]))
    nodes.append(helper.make_node("Sigmoid", ["Score"], ["Probability"]))
    threshold = constant("threshold", np.array(0.5, dtype=np.float32))
    nodes.append(helper.make_node("Greater", ["Probability", threshold], ["PredictedLabel"]))

    outputs = [
        helper.make_tensor_value_info("PredictedLabel", TensorProto.BOOL, ["N", 1]),
        helper.make_tensor_value_info("Score", TensorProto.FLOAT, ["N", 1]),
        helper.make_tensor_value_info("Probability", TensorProto.FLOAT, ["N", 1]),
    ]
    graph = helper.make_graph(nodes, "churn-logistic-regression", inputs, outputs, initializers)
    onnx_model = helper.make_model(graph, producer_name="churn-python train.py",
                                   opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("ai.onnx.ml", ML_OPSET)])
    onnx_model.ir_version = IR_VERSION
    return onnx_model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--hyperparameters", required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()

    with open(arguments.schema, encoding="utf-8") as file:
        schema = json.load(file)
    with open(arguments.hyperparameters, encoding="utf-8") as file:
        hyperparameters = json.load(file)
    rows = read_rows(arguments.data)
    print(f"Read {len(rows)} training rows with {len(schema['features'])} features.")

    numeric, categorical = fit_featurization(rows, schema)
    features = featurize(numeric, categorical)
    labels = np.array([row[schema["label"]] == schema["positiveClass"] for row in rows])
    model = LogisticRegression(C=float(hyperparameters.get("C", "1.0")), max_iter=int(hyperparameters.get("MaxIterations", "1000")),
                               random_state=arguments.seed)
    model.fit(features, labels)
    print(f"Fitted a logistic regression on {features.shape[1]} featurized columns; training accuracy {model.score(features, labels):.3f}.")

    onnx_model = build_graph(numeric, categorical, model)
    # The structural check; full_check's strict shape inference knows no shapes for ai.onnx.ml's OneHotEncoder in onnx 1.12.
    onnx.checker.check_model(onnx_model)
    onnx.save(onnx_model, arguments.out)
    print(f"Wrote {arguments.out}.")


if __name__ == "__main__":
    main()
