"""Probability distributions with PyTorch's names and numbers (``torch.distributions``):
``Categorical``, ``Bernoulli`` and ``Normal``.

``log_prob``, ``entropy`` and ``rsample`` are compositions of minigrad ops, so the
gradient flows back to the parameters (``probs``, ``logits``, ``loc``, ``scale``), as a
policy-gradient loss ``-(dist.log_prob(action) * reward).sum()`` needs. ``sample``
draws from minigrad's seeded generator (``minigrad.manual_seed``) and records no graph.

Parameters are checked when a distribution is made (``validate_args``, on by default as
in PyTorch): a negative scale or a probability outside [0, 1] is a ``ValueError`` that
names the distribution; ``log_prob`` checks its value lies in the support.
"""
from __future__ import annotations

import math
import numbers
from functools import cached_property

import numpy as np

from . import random as random_state
from ._tensor import DEFAULT_DTYPE, Tensor, make_tensor
from .autograd import no_grad
from .creation import multinomial
from .ops.loss import binary_cross_entropy_with_logits

__all__ = ["Distribution", "Categorical", "Bernoulli", "Normal"]


def sample_shape_tuple(sample_shape, name):
    """``sample_shape`` (an int, a tuple or a ``Size``) as a tuple of ints."""
    shape = (sample_shape,) if isinstance(sample_shape, (int, np.integer)) else sample_shape
    try:
        shape = tuple(int(n) for n in shape)
    except TypeError:
        raise TypeError(f"{name}.sample: sample_shape must be a tuple of ints, got "
                        f"{sample_shape!r}") from None
    if any(n < 0 for n in shape):
        raise ValueError(f"{name}.sample: sample_shape must not be negative, got {shape}")
    return shape


def as_parameters(name, **values):
    """The parameters as float tensors broadcast to one shape, as PyTorch's
    ``broadcast_all``: a number takes the dtype of the tensor parameters (float32 when
    all are numbers); broadcasting keeps the graph back to each tensor."""
    dtype = None
    for key, value in values.items():
        if isinstance(value, Tensor):
            if value.dtype.kind != "f":
                raise TypeError(f"{name}: {key} must be a floating-point tensor or a number, "
                                f"got a tensor of dtype {value.dtype}")
            dtype = dtype or value.dtype
        elif isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name}: {key} must be a Tensor or a number, got "
                            f"{type(value).__name__}")
    dtype = dtype or np.dtype(DEFAULT_DTYPE)
    tensors = {key: value if isinstance(value, Tensor) else make_tensor(np.array(value, dtype))
               for key, value in values.items()}
    try:
        shape = np.broadcast_shapes(*(t.shape for t in tensors.values()))
    except ValueError:
        shapes = ", ".join(f"{key} {tuple(t.shape)}" for key, t in tensors.items())
        raise ValueError(f"{name}: the parameters do not broadcast to one shape ({shapes})") \
            from None
    return [t if tuple(t.shape) == shape else t.expand(*shape) for t in tensors.values()]


def probs_or_logits(name, probs, logits):
    """Which of ``probs``/``logits`` was given (exactly one must be), as a float tensor."""
    if (probs is None) == (logits is None):
        raise ValueError(f"{name}: give either probs or logits, not both and not neither")
    key, given = ("probs", probs) if probs is not None else ("logits", logits)
    return key, as_parameters(name, **{key: given})[0]


class Distribution:
    """The shapes and checks shared by every distribution. ``batch_shape`` is the shape
    of independent distributions in the batch, ``event_shape`` the shape of one draw."""

    default_validate_args = True

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self.batch_shape = tuple(batch_shape)
        self.event_shape = tuple(event_shape)
        self.validate_args = (Distribution.default_validate_args if validate_args is None
                              else bool(validate_args))

    @staticmethod
    def set_default_validate_args(value):
        """Turn the parameter and value checks of every distribution made later on or off."""
        Distribution.default_validate_args = bool(value)

    def extended_shape(self, sample_shape=()):
        """The shape of ``sample(sample_shape)``: sample, batch, then event dims."""
        return (sample_shape_tuple(sample_shape, type(self).__name__) + self.batch_shape
                + self.event_shape)

    def sample(self, sample_shape=()):
        raise NotImplementedError

    def rsample(self, sample_shape=()):
        raise NotImplementedError(f"{type(self).__name__} has no reparameterised rsample; "
                                  "use sample() and a score-function (log_prob) estimator")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def check_parameter(self, key, value, valid, expected):
        """Raise a ValueError naming the distribution unless ``valid`` (an ndarray of
        booleans over ``value``) is all true."""
        if self.validate_args and not np.all(valid):
            bad = np.asarray(value.array)[~np.broadcast_to(valid, value.shape)]
            raise ValueError(f"{type(self).__name__}: expected parameter {key} (Tensor of shape "
                             f"{tuple(value.shape)}) to be {expected}, but found invalid values "
                             f"{bad[:6].tolist()}")

    def check_value(self, value, in_support, support):
        """The checks of ``log_prob``'s value: a Tensor, broadcastable with the batch
        and event shapes, inside the support (``in_support`` maps its array to booleans)."""
        name = type(self).__name__
        if not isinstance(value, Tensor):
            if self.validate_args:
                raise ValueError(f"{name}.log_prob: the value must be a Tensor, got "
                                 f"{type(value).__name__}")
            return make_tensor(np.asarray(value, dtype=self.dtype))
        if self.validate_args:
            expected = self.batch_shape + self.event_shape
            for got, want in zip(reversed(value.shape), reversed(expected)):
                if got != 1 and want != 1 and got != want:
                    raise ValueError(f"{name}.log_prob: a value of shape {tuple(value.shape)} "
                                     f"does not broadcast with batch_shape + event_shape "
                                     f"{expected}")
            if not np.all(in_support(value.array)):
                raise ValueError(f"{name}.log_prob: expected the value to be in the support "
                                 f"({support}), got {value.array.ravel()[:6].tolist()}...")
        return value

    def __repr__(self):
        shown = ", ".join(f"{key}: {tuple(getattr(self, key).shape) or getattr(self, key).item()}"
                          for key in self.parameter_names if key in self.__dict__)
        return f"{type(self).__name__}({shown})"


def clamp_probs(probs):
    """Probabilities kept inside (eps, 1 - eps), so their log is finite."""
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


class Categorical(Distribution):
    """One of K categories per batch entry (the last dim of ``probs``/``logits``).

        probs = probs / probs.sum(-1)           logits = log(clamp(probs))     (probs given)
        logits = logits - logsumexp(logits)     probs = softmax(logits)        (logits given)
        log_prob(k) = logits[..., k]            entropy = -sum(probs * logits)

    ``sample(sample_shape)`` gives int64 indices of shape ``sample_shape + batch_shape``."""

    parameter_names = ("probs", "logits")

    def __init__(self, probs=None, logits=None, validate_args=None):
        key, given = probs_or_logits("Categorical", probs, logits)
        if given.ndim < 1:
            raise ValueError(f"Categorical: {key} must be at least one-dimensional (the last "
                             f"dim holds the categories), got shape {tuple(given.shape)}")
        super().__init__(given.shape[:-1], (), validate_args)
        self.num_events = given.shape[-1]
        self.dtype = given.dtype
        if key == "probs":
            self.check_parameter("probs", given, given.array >= 0, "non-negative")
            with np.errstate(invalid="ignore", divide="ignore"):   # a zero sum is refused below
                self.probs = given / given.sum(-1, keepdim=True)
            totals = np.abs(self.probs.array.sum(-1) - 1)
            self.check_parameter("probs", given, (totals <= 1e-6)[..., None],
                                 "a non-negative vector with a positive finite sum")
        else:
            self.check_parameter("logits", given, ~np.isnan(given.array), "real (not NaN)")
            self.logits = given - given.logsumexp(dim=-1, keepdim=True)

    @cached_property
    def logits(self):
        return clamp_probs(self.probs).log()

    @cached_property
    def probs(self):
        return self.logits.softmax(-1)

    @property
    def param_shape(self):
        return self.batch_shape + (self.num_events,)

    @property
    def mean(self):
        return make_tensor(np.full(self.batch_shape, np.nan, self.dtype))

    variance = mean

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        shape = self.extended_shape(sample_shape)
        draws = int(np.prod(shape[:len(shape) - len(self.batch_shape)], dtype=np.int64))
        rows = self.probs.array.reshape(-1, self.num_events)
        if draws == 0 or rows.shape[0] == 0:
            return make_tensor(np.zeros(shape, np.int64))
        picks = multinomial(make_tensor(rows), draws, replacement=True).array   # (rows, draws)
        return make_tensor(np.ascontiguousarray(picks.T).reshape(shape))

    def log_prob(self, value):
        def in_support(values):
            return (values % 1 == 0) & (values >= 0) & (values <= self.num_events - 1)
        value = self.check_value(value, in_support, f"integers 0..{self.num_events - 1}")
        index = value.array.astype(np.int64)[..., None]
        shape = np.broadcast_shapes(index.shape, self.logits.shape)
        index = np.broadcast_to(index, shape[:-1] + (1,))
        log_pmf = self.logits if tuple(self.logits.shape) == shape else self.logits.expand(*shape)
        return log_pmf.gather(-1, make_tensor(np.ascontiguousarray(index))).squeeze(-1)

    def entropy(self):
        # a category of probability 0 has logit -inf; clamped, its term is 0 * finite = 0
        logits = self.logits.clamp(min=float(np.finfo(self.dtype).min))
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = np.arange(self.num_events, dtype=np.int64).reshape((-1,) + (1,) *
                                                                     len(self.batch_shape))
        if expand:
            values = np.broadcast_to(values, (self.num_events,) + self.batch_shape)
        return make_tensor(np.ascontiguousarray(values))


class Bernoulli(Distribution):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0.

        logits = log(p) - log1p(-p)   (p clamped into (eps, 1 - eps); probs given)
        log_prob(x) = -bce_with_logits(logits, x)    entropy = bce_with_logits(logits, probs)

    Samples are floats of the parameter's dtype, as PyTorch's."""

    parameter_names = ("probs", "logits")

    def __init__(self, probs=None, logits=None, validate_args=None):
        key, given = probs_or_logits("Bernoulli", probs, logits)
        super().__init__(given.shape, (), validate_args)
        self.dtype = given.dtype
        if key == "probs":
            self.check_parameter("probs", given, (given.array >= 0) & (given.array <= 1),
                                 "in [0, 1]")
            self.probs = given
        else:
            self.check_parameter("logits", given, ~np.isnan(given.array), "real (not NaN)")
            self.logits = given

    @cached_property
    def logits(self):
        clamped = clamp_probs(self.probs)
        return clamped.log() - (-clamped).log1p()

    @cached_property
    def probs(self):
        return self.logits.sigmoid()

    @property
    def param_shape(self):
        return self.batch_shape

    @property
    def mean(self):
        return self.probs

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    @property
    def mode(self):
        probs = self.probs.array
        return make_tensor(np.where(probs == 0.5, np.nan, (probs > 0.5)).astype(self.dtype))

    def sample(self, sample_shape=()):
        shape = self.extended_shape(sample_shape)
        uniform = random_state.generator().random(shape)
        return make_tensor((uniform < self.probs.array).astype(self.dtype))

    def log_prob(self, value):
        value = self.check_value(value, lambda v: (v == 0) | (v == 1), "0 or 1")
        logits, value = as_parameters("Bernoulli.log_prob", logits=self.logits, value=value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = np.arange(2, dtype=self.dtype).reshape((-1,) + (1,) * len(self.batch_shape))
        if expand:
            values = np.broadcast_to(values, (2,) + self.batch_shape)
        return make_tensor(np.ascontiguousarray(values))


class Normal(Distribution):
    """The Gaussian with mean ``loc`` and standard deviation ``scale`` (> 0).

        log_prob(x) = -(x - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi))
        entropy = 1/2 + log(sqrt(2 pi)) + log(scale)
        rsample = loc + eps * scale, eps ~ N(0, 1): differentiable in loc and scale"""

    parameter_names = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = as_parameters("Normal", loc=loc, scale=scale)
        super().__init__(self.loc.shape, (), validate_args)
        self.dtype = self.loc.dtype
        self.check_parameter("loc", self.loc, ~np.isnan(self.loc.array), "real (not NaN)")
        self.check_parameter("scale", self.scale, self.scale.array > 0, "positive (> 0)")

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale.pow(2)

    def standard_normal(self, sample_shape):
        shape = self.extended_shape(sample_shape)
        return random_state.generator().standard_normal(shape).astype(self.dtype)

    def sample(self, sample_shape=()):
        with no_grad():
            return make_tensor(self.loc.array + self.standard_normal(sample_shape) *
                               self.scale.array)

    def rsample(self, sample_shape=()):
        return self.loc + make_tensor(self.standard_normal(sample_shape)) * self.scale

    def log_prob(self, value):
        value = self.check_value(value, lambda v: ~np.isnan(v), "real numbers")
        variance = self.scale ** 2
        return (-((value - self.loc) ** 2) / (2 * variance) - self.scale.log()
                - math.log(math.sqrt(2 * math.pi)))

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    def cdf(self, value):
        value = self.check_value(value, lambda v: ~np.isnan(v), "real numbers")
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())
