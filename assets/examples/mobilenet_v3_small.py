"""MobileNetV3-Small for 224x224 RGB images and 1000 classes, written in plain torch.

Mirrors the architecture and module layout of torchvision's mobilenet_v3_small:
  features.0      3x3/2 conv (16 ch) + BatchNorm + Hardswish
  features.1..11  inverted-residual blocks (`block`: optional 1x1 expansion,
                  depthwise kxk conv, optional squeeze-excitation with a ReLU and
                  a Hardsigmoid gate, 1x1 linear projection); a residual
                  `result += input` when the stride is 1 and the width is kept
  features.12     1x1 conv to 576 ch + BatchNorm + Hardswish
  avgpool, flatten, classifier: Linear(576, 1024), Hardswish, Dropout(0.2), Linear(1024, 1000)
BatchNorm uses eps=0.001, momentum=0.01; conv/activation units use in-place
activations, the squeeze-excitation ones do not.

Static shapes (batch 1), as in the reference export.
"""

import torch
import torch.nn as nn
from torch.export import Dim  # noqa: F401  (kept for editing dynamic_shapes)


def make_divisible(v, divisor=8, min_value=None):
    """Round a channel count to a multiple of `divisor`, never going down by more than 10%."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class ConvBNActivation(nn.Sequential):
    """Conv2d (no bias) -> BatchNorm2d -> optional in-place activation, indexed 0, 1, 2."""

    def __init__(self, in_ch, out_ch, kernel_size=3, stride=1, groups=1, activation=None, dilation=1):
        padding = (kernel_size - 1) // 2 * dilation
        layers = [
            nn.Conv2d(in_ch, out_ch, kernel_size, stride, padding, dilation=dilation, groups=groups, bias=False),
            nn.BatchNorm2d(out_ch, eps=0.001, momentum=0.01),
        ]
        if activation is not None:
            layers.append(activation(inplace=True))
        super().__init__(*layers)


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, squeeze_channels):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, channels, 1)
        self.activation = nn.ReLU()
        self.scale_activation = nn.Hardsigmoid()

    def forward(self, x):
        scale = self.avgpool(x)
        scale = self.activation(self.fc1(scale))
        scale = self.scale_activation(self.fc2(scale))
        return scale * x


class InvertedResidual(nn.Module):
    def __init__(self, in_ch, kernel, expanded_ch, out_ch, use_se, use_hs, stride, dilation=1):
        super().__init__()
        self.use_res_connect = stride == 1 and in_ch == out_ch
        act = nn.Hardswish if use_hs else nn.ReLU
        layers = []
        if expanded_ch != in_ch:
            layers.append(ConvBNActivation(in_ch, expanded_ch, kernel_size=1, activation=act))
        layers.append(
            ConvBNActivation(expanded_ch, expanded_ch, kernel_size=kernel, stride=stride, groups=expanded_ch, activation=act, dilation=dilation)
        )
        if use_se:
            layers.append(SqueezeExcitation(expanded_ch, make_divisible(expanded_ch // 4, 8)))
        layers.append(ConvBNActivation(expanded_ch, out_ch, kernel_size=1, activation=None))
        self.block = nn.Sequential(*layers)
        self.out_channels = out_ch

    def forward(self, x):
        result = self.block(x)
        if self.use_res_connect:
            result += x
        return result


# in, kernel, expanded, out, squeeze-excite, hardswish (else ReLU), stride
SMALL_CONFIG = [
    (16, 3, 16, 16, True, False, 2),
    (16, 3, 72, 24, False, False, 2),
    (24, 3, 88, 24, False, False, 1),
    (24, 5, 96, 40, True, True, 2),
    (40, 5, 240, 40, True, True, 1),
    (40, 5, 240, 40, True, True, 1),
    (40, 5, 120, 48, True, True, 1),
    (48, 5, 144, 48, True, True, 1),
    (48, 5, 288, 96, True, True, 2),
    (96, 5, 576, 96, True, True, 1),
    (96, 5, 576, 96, True, True, 1),
]


class MobileNetV3Small(nn.Module):
    def __init__(self, num_classes=1000, last_channel=1024, dropout=0.2):
        super().__init__()
        first_out = SMALL_CONFIG[0][0]
        layers = [ConvBNActivation(3, first_out, kernel_size=3, stride=2, activation=nn.Hardswish)]
        for cfg in SMALL_CONFIG:
            layers.append(InvertedResidual(*cfg))
        last_in = SMALL_CONFIG[-1][3]
        last_out = 6 * last_in
        layers.append(ConvBNActivation(last_in, last_out, kernel_size=1, activation=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(last_out, last_channel),
            nn.Hardswish(inplace=True),
            nn.Dropout(p=dropout, inplace=True),
            nn.Linear(last_channel, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


torch.manual_seed(0)
model = MobileNetV3Small().eval()
example_args = (torch.randn(1, 3, 224, 224),)
dynamic_shapes = None
