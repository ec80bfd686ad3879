"""Neural-network building blocks: ``Module``, ``Parameter``, layers, losses,
initialisation (``nn.init``) and the functional interface (``nn.functional``)."""
from . import functional  # noqa: F401
from . import init  # noqa: F401
from . import utils  # noqa: F401
from .module import Module
from .parameter import Parameter
from .state_dict_checks import StateDictError
from .layers import Identity, Linear, Flatten, Dropout, Upsample
from .conv_layers import Conv2d, ConvTranspose2d
from .pool_layers import MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d
from .activation import (ReLU, Sigmoid, Tanh, LeakyReLU, ELU, GELU, Softplus, Softmax,
                         LogSoftmax, SiLU, Hardtanh)
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm
from .container import Sequential, ModuleList, ModuleDict
from .loss import (CrossEntropyLoss, NLLLoss, MSELoss, BCELoss, L1Loss, SmoothL1Loss, HuberLoss,
                   BCEWithLogitsLoss, KLDivLoss)
from .sparse import Embedding
from .dropout import Dropout2d
from .recurrent import RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell

__all__ = [
    "functional", "init", "utils", "Module", "Parameter", "StateDictError", "Identity", "Linear",
    "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "ReLU", "Sigmoid", "Tanh",
    "LeakyReLU", "ELU", "GELU", "Softplus", "Softmax", "LogSoftmax", "BatchNorm1d",
    "BatchNorm2d", "Sequential", "ModuleList", "CrossEntropyLoss", "NLLLoss", "MSELoss",
    "BCELoss", "SiLU", "Hardtanh", "LayerNorm", "GroupNorm", "ModuleDict", "L1Loss",
    "SmoothL1Loss", "HuberLoss", "BCEWithLogitsLoss", "KLDivLoss", "Embedding", "Dropout2d",
    "ConvTranspose2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Upsample",
    "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
]

# -- padding, pixel shuffle, instance norm, Unflatten, DataParallel
from .padding import ReflectionPad2d, ReplicationPad2d, ZeroPad2d, ConstantPad2d  # noqa: E402
from .normalization import InstanceNorm2d  # noqa: E402
from .layers import PixelShuffle, PixelUnshuffle, Unflatten  # noqa: E402
from . import parallel  # noqa: E402
from .parallel import DataParallel  # noqa: E402

__all__ += ["ReflectionPad2d", "ReplicationPad2d", "ZeroPad2d", "ConstantPad2d", "InstanceNorm2d",
            "PixelShuffle", "PixelUnshuffle", "Unflatten", "parallel", "DataParallel"]
