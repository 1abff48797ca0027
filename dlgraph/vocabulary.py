"""The one place that defines relation types, topics and kinds.

The CLI, the renderer, the exporters, the validator and the README table all read from here, so a new
relation type is added in exactly one spot.

Examples
--------
>>> RELATION_TYPES["improves-on"].inverse
'improved by'
>>> RELATION_TYPES["part-of"].prerequisite
'source'
>>> sorted(t for t, r in RELATION_TYPES.items() if r.family == "lineage")
['extends', 'improves-on', 'inspired-by', 'simplifies']
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Family = Literal["lineage", "composition", "taxonomy", "association"]
Prerequisite = Literal["target", "source", None]


class RelationType(NamedTuple):
    """A typed edge ``source --name--> target``; the source is the subject of the sentence.

    ``prerequisite`` says which end must be studied first: ``"target"`` (Adam combines RMSprop: study
    RMSprop before Adam), ``"source"`` (query part-of attention: study the part before the whole) or
    ``None`` (no study order implied).
    """

    name: str
    label: str
    inverse: str
    family: Family
    prerequisite: Prerequisite
    symmetric: bool
    description: str


def _types(*rows: tuple) -> dict[str, RelationType]:
    return {row[0]: RelationType(*row) for row in rows}


# fmt: off
RELATION_TYPES: dict[str, RelationType] = _types(
    ("improves-on", "improves on", "improved by", "lineage", "target", False,
     "a newer method that fixes or beats the target (Faster R-CNN improves on Fast R-CNN)"),
    ("extends", "extends", "extended by", "lineage", "target", False,
     "adds to the target and keeps it (Mask R-CNN extends Faster R-CNN)"),
    ("simplifies", "simplifies", "simplified by", "lineage", "target", False,
     "a simpler version of the target (GRU simplifies LSTM)"),
    ("inspired-by", "was inspired by", "inspired", "lineage", None, False,
     "historically inspired by the target (LeNet-5 inspired by the Neocognitron)"),
    ("combines", "combines", "combined in", "composition", "target", False,
     "joins the target with other ideas (Adam combines RMSprop and momentum)"),
    ("uses", "uses", "used by", "composition", "target", False,
     "uses the target as a building block or tool (Fast R-CNN uses RoI Pooling)"),
    ("part-of", "is part of", "has part", "composition", "source", False,
     "a component of the target; the part is studied first (query part of attention)"),
    ("is-a", "is a kind of", "has kind", "taxonomy", "target", False,
     "a kind of the target (dropout is a kind of regularization)"),
    ("addresses", "addresses", "addressed by", "association", "target", False,
     "solves or mitigates the target problem (LSTM addresses vanishing gradients)"),
    ("measures", "measures", "measured by", "association", "target", False,
     "a metric or formula that quantifies the target (IoU measures box overlap)"),
    ("alternative-to", "is an alternative to", "is an alternative to", "association", None, True,
     "can be used instead of the target; symmetric"),
    ("related-to", "is related to", "is related to", "association", None, True,
     "a looser link than any other type; symmetric"),
)
# fmt: on

LINEAGE_TYPES: frozenset[str] = frozenset(
    name for name, rel in RELATION_TYPES.items() if rel.family == "lineage"
)

FAMILIES: tuple[Family, ...] = ("lineage", "composition", "taxonomy", "association")

TOPICS: dict[str, str] = {
    "math": "Mathematics: calculus, linear algebra, probability, information theory",
    "classical-ml": "Classical machine learning: linear models, kernels, trees, clustering, model selection",
    "evaluation": "Evaluation: metrics and how models are compared",
    "foundations": "Foundations: neurons, activations, losses, backpropagation",
    "training": "Training practice: data, initialisation, normalisation, batches, fine-tuning",
    "optimization": "Optimization: gradient descent and its adaptive variants, schedules",
    "regularization": "Regularization: fighting overfitting, augmentation",
    "compression": "Compression: distillation, pruning, quantisation, efficient inference",
    "cnn-architectures": "Convolutional networks: layers and architectures, LeNet to ConvNeXt",
    "object-detection": "Detection and segmentation: boxes, proposals, detectors, masks",
    "sequence-models": "Sequence models: RNNs, LSTMs, encoder-decoders, seq2seq attention",
    "attention-transformers": "Attention and transformers, efficient attention, vision transformers",
    "language-models": "Language models: tokenisation, BERT and GPT lines, fine-tuning, alignment",
    "representation-learning": "Representation learning: embeddings, self-supervised, contrastive learning",
    "graph-networks": "Graph neural networks: message passing, GCN, GAT, node embeddings",
    "generative-models": "Generative models: autoencoders, VAEs, GANs, flows, diffusion",
    "reinforcement-learning": "Reinforcement learning: MDPs, value and policy methods",
    "responsible-ml": "Responsible ML: fairness, bias, interpretability, privacy",
    "ml-systems": "ML systems: frameworks, hardware, data pipelines, deployment and serving",
}

KINDS: dict[str, str] = {
    "architecture": "a whole model design (ResNet, LSTM, Faster R-CNN)",
    "component": "a building block inside a model (RoI Pooling, skip connection)",
    "algorithm": "a procedure (Adam, beam search, NMS, Q-learning)",
    "technique": "a training practice or trick (dropout, label smoothing)",
    "concept": "an idea to understand (receptive field, Markov decision process)",
    "formula": "an equation (CNN output size, Bellman equations)",
    "metric": "a measure of quality (IoU, mAP)",
    "problem": "a failure mode that methods address (vanishing gradients)",
    "task": "a job a model does (object detection)",
    "person": "people behind an idea (Hubel and Wiesel)",
    "dataset": "a dataset or benchmark (ImageNet, COCO)",
    "tool": "a library, framework or piece of hardware (PyTorch, TPU)",
}

#: Topic and kind used for concepts a deck build proposes that no curated entry describes.
DEFAULT_TOPIC = "foundations"
DEFAULT_KIND = "concept"


def prereq_edge(r: dict) -> tuple[str, str] | None:
    """``(after, before)`` when relation ``r`` puts ``before`` first in the study order, else None.

    >>> prereq_edge({"source": "adam", "type": "combines", "target": "rmsprop"})
    ('adam', 'rmsprop')
    >>> prereq_edge({"source": "query", "type": "part-of", "target": "attention"})
    ('attention', 'query')
    """
    needs = RELATION_TYPES[r["type"]].prerequisite
    if needs == "target":
        return (r["source"], r["target"])
    if needs == "source":
        return (r["target"], r["source"])
    return None
