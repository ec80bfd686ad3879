"""The CIFAR-style example: synthetic images, the model, a short training run, and
the drawing convention (build_model / example_batch) that python -m visualize uses."""
import numpy as np

import minigrad as mg
from tests.examples.scripts import load_example


def test_synthetic_images_are_reproducible_and_every_class_appears():
    script = load_example("cifar_style")
    a, labels = script.synthetic_images(200, seed=3)
    b, _ = script.synthetic_images(200, seed=3)
    assert a.shape == (200, 3, 32, 32) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert set(labels.tolist()) == set(range(10))
    assert 0.0 <= a.min() and a.max() <= 1.0


def test_model_and_example_batch_serve_visualize():
    script = load_example("cifar_style")
    model = script.build_model()
    images, labels = script.example_batch(4)
    assert images.shape == (4, 3, 32, 32) and labels.dtype == np.int64
    out = model(images)
    assert out.shape == (4, 10)
    import re
    import visualize
    dot = visualize.to_dot(mg.nn.functional.cross_entropy(out, labels), params=model)
    drawn = set(re.findall(r"<B>(\w+)</B>", dot))
    assert {"Conv2d", "BatchNorm", "ReLU", "MaxPool2d", "AdaptiveAvgPool2d", "CrossEntropy"} <= drawn


def test_a_short_run_learns_above_chance():
    script = load_example("cifar_style")
    logs = []
    _, accuracy = script.main(["--train", "640", "--test", "300", "--epochs", "2",
                               "--width", "8"], log=logs.append)
    assert len(logs) == 2 and "test accuracy" in logs[-1]
    assert accuracy > 0.2, logs          # chance is 10%
