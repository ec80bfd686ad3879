"""Bad-input rows of training: tensor creation and seeding, the optimizers and their steps, the
learning-rate schedulers, nn.utils, transforms and data loading.

Each row: (id, call, exception type, regex that names op + argument + what was
seen/expected); tests/robustness/test_bad_input.py runs them all.
"""
import math

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad import transforms as T
from minigrad.optim import lr_scheduler


def _params():
    return [nn.Parameter(np.ones(2))]


def _sgd():
    return optim.SGD(_params(), lr=0.1, momentum=0.9)


def _sequential(milestones):
    opt = _sgd()
    return lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 2), lr_scheduler.StepLR(opt, 3)],
                                     milestones)


def _step_with_grad(optimizer_class, grad):
    model = nn.Linear(2, 2)
    opt = optimizer_class(model.parameters(), lr=0.1)
    model.weight.grad = grad
    opt.step()


ROWS = [
    # -- creation, seeding, optimizers --------------------------------------------------------
    ("randn-negative-size", lambda: mg.randn(-1, 2), ValueError, r"randn: sizes must be >= 0, got shape \(-1, 2\)"),
    ("zeros-float-size", lambda: mg.zeros(2.5), TypeError, r"zeros: shape must be ints, got \(2.5,\)"),
    ("eye-negative", lambda: mg.eye(-1), ValueError, r"eye: sizes must be >= 0, got shape \(-1,\)"),
    ("arange-zero-step", lambda: mg.arange(0, 5, 0), ValueError, r"arange: step must not be zero"),
    ("manual_seed-float", lambda: mg.manual_seed(1.5), TypeError, r"manual_seed: seed must be an int, got float 1.5"),
    ("manual_seed-negative", lambda: mg.manual_seed(-1), ValueError, r"manual_seed: seed must be >= 0, got -1"),
    ("SGD-lr-string", lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr="0.1"),
     TypeError, r"SGD: lr must be a number, got str '0.1'"),
    ("Adam-lr-nan", lambda: optim.Adam(nn.Linear(2, 2).parameters(), lr=math.nan),
     ValueError, r"Adam: invalid learning rate nan \(must be >= 0\)"),
    ("SGD-non-leaf-param", lambda: optim.SGD([nn.Parameter([1.0]) * 2], lr=0.1),
     ValueError, r"SGD: can only optimise leaf tensors, got a non-leaf tensor of shape \(1,\)"),
    ("SGD-grad-ndarray", lambda: _step_with_grad(optim.SGD, np.ones((2, 2))),
     TypeError, r"SGD: the .grad of a parameter of shape \(2, 2\) is a ndarray; expected a Tensor or None"),
    ("Adam-grad-wrong-shape", lambda: _step_with_grad(optim.Adam, mg.ones(3)),
     RuntimeError, r"Adam: gradient of shape \(3,\) for a parameter of shape \(2, 2\)"),
    ("DataLoader-seed-string", lambda: mg.data.DataLoader(mg.data.TensorDataset(np.ones(3)), seed="a"),
     TypeError, r"DataLoader: seed must be an int, got str 'a'"),
    ("concatenate-axis-string", lambda: mg.concatenate([mg.ones(2)], axis="0"),
     TypeError, r"concatenate: dim must be an int, got '0'"),
    # -- new optimizers, schedulers, nn.utils, transforms, MNIST -------------------------------
    ("Adadelta-lr-negative", lambda: optim.Adadelta(_params(), lr=-1.0),
     ValueError, r"Adadelta: invalid learning rate -1.0 \(must be >= 0\)"),
    ("Adadelta-rho-above-1", lambda: optim.Adadelta(_params(), rho=1.1),
     ValueError, r"Adadelta: invalid rho 1.1 \(must be in \[0, 1\]\)"),
    ("Adadelta-eps-negative", lambda: optim.Adadelta(_params(), eps=-1e-6),
     ValueError, r"Adadelta: invalid eps -1e-06 \(must be >= 0\)"),
    ("RMSprop-alpha-negative", lambda: optim.RMSprop(_params(), alpha=-0.5),
     ValueError, r"RMSprop: invalid alpha -0.5 \(must be >= 0\)"),
    ("RMSprop-eps-string", lambda: optim.RMSprop(_params(), eps="1e-8"),
     TypeError, r"RMSprop: eps must be a number, got str '1e-8'"),
    ("Adagrad-lr-negative", lambda: optim.Adagrad(_params(), lr=-0.01),
     ValueError, r"Adagrad: invalid learning rate -0.01 \(must be >= 0\)"),
    ("Adagrad-initial-accumulator-negative", lambda: optim.Adagrad(_params(), initial_accumulator_value=-1),
     ValueError, r"Adagrad: invalid initial_accumulator_value -1.0 \(must be >= 0\)"),
    ("OneCycleLR-total-steps-missing", lambda: lr_scheduler.OneCycleLR(_sgd(), max_lr=0.1),
     ValueError, r"OneCycleLR: the schedule's length is missing: pass total_steps, or both epochs "
                 r"and steps_per_epoch"),
    ("OneCycleLR-total-steps-0", lambda: lr_scheduler.OneCycleLR(_sgd(), max_lr=0.1, total_steps=0),
     ValueError, r"OneCycleLR: total_steps must be a positive int, got 0"),
    ("OneCycleLR-anneal-unknown", lambda: lr_scheduler.OneCycleLR(_sgd(), 0.1, 10, anneal_strategy="exp"),
     ValueError, r"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got 'exp'"),
    ("OneCycleLR-no-momentum", lambda: lr_scheduler.OneCycleLR(optim.Adagrad(_params()), 0.1, 10),
     ValueError, r"OneCycleLR: cycle_momentum needs an optimizer with 'momentum' or 'betas', and "
                 r"Adagrad has neither"),
    ("LinearLR-start-factor-0", lambda: lr_scheduler.LinearLR(_sgd(), start_factor=0),
     ValueError, r"LinearLR: start_factor must be in \(0, 1\], got 0"),
    ("LambdaLR-not-callable", lambda: lr_scheduler.LambdaLR(_sgd(), 0.5),
     TypeError, r"LambdaLR: lr_lambda must be a function of the epoch .*got float"),
    ("SequentialLR-milestones-count", lambda: _sequential(milestones=[2, 4]),
     ValueError, r"SequentialLR: 2 scheduler\(s\) need 1 milestone\(s\), got 2"),
    ("CosineAnnealingWarmRestarts-T_mult-0", lambda: lr_scheduler.CosineAnnealingWarmRestarts(_sgd(), 2, T_mult=0),
     ValueError, r"CosineAnnealingWarmRestarts: T_mult must be a positive int, got 0"),
    ("ReduceLROnPlateau-factor-1", lambda: lr_scheduler.ReduceLROnPlateau(_sgd(), factor=1.0),
     ValueError, r"ReduceLROnPlateau: factor must be a number in \[0, 1\), got 1.0"),
    ("ReduceLROnPlateau-mode", lambda: lr_scheduler.ReduceLROnPlateau(_sgd(), mode="minimum"),
     ValueError, r"ReduceLROnPlateau: mode must be 'min' or 'max', got 'minimum'"),
    ("ReduceLROnPlateau-metric-string", lambda: lr_scheduler.ReduceLROnPlateau(_sgd()).step("low"),
     TypeError, r"ReduceLROnPlateau.step: metrics must be a number, got str"),
    ("clip_grad_norm_-max-norm-negative", lambda: nn.utils.clip_grad_norm_(_params(), -1.0),
     ValueError, r"clip_grad_norm_: max_norm must be a non-negative number, got -1.0"),
    ("clip_grad_norm_-max-norm-string", lambda: nn.utils.clip_grad_norm_(_params(), "1"),
     TypeError, r"clip_grad_norm_: max_norm must be a number, got str '1'"),
    ("clip_grad_value_-nan", lambda: nn.utils.clip_grad_value_(_params(), math.nan),
     ValueError, r"clip_grad_value_: clip_value must be a non-negative number, got nan"),
    ("vector_to_parameters-2d", lambda: nn.utils.vector_to_parameters(mg.zeros(2, 3), _params()),
     ValueError, r"vector_to_parameters: vec must be 1-D, got shape \(2, 3\)"),
    ("Normalize-std-zero", lambda: T.Normalize([0.5, 0.5], [0.2, 0.0]),
     ValueError, r"Normalize: std \[0.2, 0.0\] has a zero, which would divide by zero"),
    ("Normalize-int-image", lambda: T.Normalize(0.5, 0.5)(mg.Tensor(np.zeros((1, 2, 2), np.int64))),
     TypeError, r"Normalize: expected a floating-point image, got dtype int64"),
    ("RandomCrop-larger-than-padded", lambda: T.RandomCrop(10, padding=2)(np.zeros((1, 5, 5))),
     ValueError, r"RandomCrop: crop size \(10, 10\) is larger than the \(padded\) image \(9, 9\)"),
    ("RandomCrop-padding-mode", lambda: T.RandomCrop(3, padding=1, padding_mode="wrap"),
     ValueError, r"RandomCrop: padding_mode must be one of .*got 'wrap'"),
    ("RandomHorizontalFlip-p", lambda: T.RandomHorizontalFlip(p=1.5),
     ValueError, r"RandomHorizontalFlip: p must be a probability in \[0, 1\], got 1.5"),
    ("ToTensor-list", lambda: T.ToTensor()([[1, 2]]),
     TypeError, r"ToTensor: expected a numpy array \(H, W\) or \(H, W, C\), got list"),
    ("ToTensor-4d", lambda: T.ToTensor()(np.zeros((1, 2, 2, 3), np.uint8)),
     ValueError, r"ToTensor: expected an image of shape \(H, W\) or \(H, W, C\), got shape \(1, 2, 2, 3\)"),
    ("TensorDataset-length-mismatch", lambda: mg.data.TensorDataset(np.ones(3), np.ones(4)),
     ValueError, r"TensorDataset: every array needs the same first dimension, got shapes \[\(3,\), \(4,\)\]"),
]
