"""The handout's own prose, in English and Chinese: headings, paragraphs, errata, captions.

Each value is LaTeX written by symopt itself (inline math in ``\\(...\\)``), never text from
input.  Both tables have the same keys; :mod:`symopt.report.handout` assembles them with the
checked derivations of :mod:`symopt.report.lecture`.

Symbols, one meaning each: lambda only for eigenvalues; eta the learning rate; mu the
momentum coefficient; alpha RMSProp's decay; beta_1, beta_2 Adam's; gamma a decay factor of a
schedule; sigma_i^t the adaptive scale of parameter i; x-bar and s a mean and a standard
deviation; gamma-vector and beta-vector (bold) batch normalisation's learnable scale and shift.
"""

from __future__ import annotations

__all__ = ["TEXT", "ERRATA"]

_EN: dict[str, str] = {
    "title": "Week 2: a guide to training, worked and checked",
    "figure_name": "Figure",
    "subtitle": ("Every formula below was recomputed by symopt and checked exactly; the errata "
                 "of the original notes are listed in Section~7."),
    "notation_h": "Notation",
    "notation": (
        "One symbol, one meaning: \\(\\lambda\\) is only ever an eigenvalue of the Hessian "
        "\\(H\\); \\(\\eta\\) is the learning rate; \\(\\mu\\) the momentum coefficient (the "
        "notes write \\(\\lambda\\)); \\(\\alpha\\) the decay of RMSProp; \\(\\beta_1, \\beta_2\\) "
        "those of Adam; \\(\\delta\\) the weight decay; \\(\\gamma\\) the decay factor of a "
        "schedule; \\(\\sigma_i^t\\) the adaptive scale of parameter \\(i\\); \\(\\bar{x}\\) and "
        "\\(s\\) a mean and a standard deviation; \\(\\boldsymbol{\\gamma}, \\boldsymbol{\\beta}\\) "
        "the learnable scale and shift of batch normalisation."),
    # 1. diagnosis
    "s1": "When the training loss is large: a diagnosis",
    "s1_intro": ("Look at the training loss first. If it is large, the model either cannot fit "
                 "the data (model bias) or the optimizer does not find a good setting "
                 "(optimization issue). If it is small but the validation loss is large, the "
                 "model overfits, or the test data differ from the training data (mismatch)."),
    "s1_table": [
        ("Model bias", "large training loss; a bigger model does no better",
         "more features, more layers, a more flexible model"),
        ("Optimization issue", "a deeper model reaches a higher training loss than a shallower "
         "one", "a better optimizer (Sections 3 and 4)"),
        ("Overfitting", "small training loss, large validation loss",
         "more data, augmentation, fewer parameters, sharing, regularisation, early stopping"),
        ("Mismatch", "training and test data from different distributions",
         "more data of the same kind does not help; collect data like the test data"),
    ],
    "s1_cols": ("Problem", "What you see", "What helps"),
    "s1_deeper": ("How to tell the two apart: train a deeper model. It could at least copy the "
                  "shallower one, so if its training loss is higher, the optimizer is to blame; "
                  "otherwise the model is too simple. \\texttt{symopt.ml.diagnose} applies "
                  "this rule to recorded runs."),
    # 2. critical points
    "s2": "Critical points: local minima and saddle points",
    "s2_eigen_h": "The eigenvectors, worked: solving \\((H - \\lambda I)v = 0\\)",
    "s2_eigen": ("At the origin \\(H = \\begin{bmatrix}0 & -2\\\\ -2 & 0\\end{bmatrix}\\) and "
                 "\\(\\det(\\lambda I - H) = \\lambda^2 - 4\\), so \\(\\lambda = \\pm 2\\). "
                 "Each eigenvector solves a homogeneous system:"),
    "s2_eigen_after": ("Only \\(\\lambda = -2\\) is negative, so only \\(u = (1, 1)\\) leads "
                       "down: \\(L(a, a) = (1 - a^2)^2 < 1 = L(0, 0)\\) for "
                       "\\(0 < |a| < \\sqrt{2}\\)."),
    # 3. batch size and momentum
    "s3": "Batch size and momentum",
    "s3_intro": ("A batch of \\(B\\) of the \\(N\\) samples gives one update; an epoch is "
                 "\\(\\lceil N/B \\rceil\\) updates. Small batches give noisier gradients "
                 "(the covariance of the batch gradient shrinks like "
                 "\\(\\frac{N - B}{B(N - 1)}\\)), and that noise tends to help both "
                 "optimization and generalization."),
    "s3_cols": ("", "Small batch", "Large batch"),
    "s3_table": [
        ("Time per update", "short", "longer without parallelism; about the same with it"),
        ("Time per epoch, no parallelism", "about the same", "about the same"),
        ("Time per epoch, parallel", "longer (more updates)", "shorter"),
        ("Gradient", "noisy", "stable"),
        ("Optimization, generalization", "often better", "often worse"),
    ],
    "s3_regimes": ("The notes' ``one epoch takes the same time'' holds only without "
                   "parallelism. With the batch evaluated in parallel, a large batch's update "
                   "costs about as much as a small one's, so an epoch of small batches (more "
                   "updates) is slower. \\texttt{examples/batch\\_size.py} measures both "
                   "regimes and prints them."),
    "s3_measured": "Measured on the machine that built this handout ({n} samples), per epoch:",
    "s3_serial": "without parallelism",
    "s3_parallel": "vectorised (parallel)",
    "s3_ratio": "ratio",
    "s3_momentum": ("Momentum keeps moving in the direction of the previous steps: the new "
                    "movement is the negative gradient plus \\(\\mu\\) times the previous "
                    "movement, so it can roll through a saddle point or a flat region."),
    # 4. learning rates
    "s4": "Learning rates",
    "s4_intro": ("Training can stall while the gradient is not small: with too large a rate the "
                 "parameters oscillate across a valley, with too small a rate they crawl along "
                 "it. Adaptive methods give each parameter its own rate "
                 "\\(\\eta/\\sigma_i^t\\); schedules change \\(\\eta\\) over time."),
    "s4_summary": ("Summary: \\(\\theta_i^{t+1} = \\theta_i^t - \\frac{\\eta^t}{\\sigma_i^t} "
                   "m_i^t\\). Adagrad, RMSProp and Adam change \\(\\sigma\\); decay and warm-up "
                   "change \\(\\eta\\); momentum changes \\(m\\)."),
    # 5. classification
    "s5": "Classification",
    "s5_intro": ("A classifier outputs \\(y = b' + W'\\sigma(b + Wx)\\), one value per class, "
                 "compared with a one-hot label \\(\\hat{y}\\) after softmax."),
    # 6. batch normalisation
    "s6": "Batch normalization",
    "s6_intro": ("When features live on very different scales (\\(x_1\\) in 1 to 10, \\(x_2\\) "
                 "in 1000 to 10000), the error surface is steep in one direction and flat in "
                 "the other, and no single learning rate suits both. Feature scaling puts every "
                 "dimension on the same scale:"),
    "s6_scaling": "\\tilde{x}_i = \\frac{x_i - \\bar{x}_i}{s_i}",
    "s6_bn": ("Batch normalization does the same for the inputs \\(z\\) of each layer, with "
              "the batch's own mean and standard deviation, and usually follows with a "
              "learnable scale and shift:"),
    "s6_bn_formula": ("\\hat{z}_i = \\frac{z_i - \\bar{z}_i}{s_i}, \\qquad "
                      "\\tilde{z}_i = \\boldsymbol{\\gamma}_i \\hat{z}_i + \\boldsymbol{\\beta}_i"),
    "s6_test": ("At test time there is no batch: use the statistics of the whole training set, "
                "or the moving averages kept during training, with \\(0 < p < 1\\):"),
    "s6_moving": "\\bar{z} \\leftarrow p\\,\\bar{z} + (1 - p)\\,\\bar{z}^t",
    # 7. errata
    "s7": "Errata: what the notes say and what is correct",
    "errata_cols": ("Where", "The notes say", "Correct", "Why"),
    # figures
    "fig_landscape": ("The worked example \\(L = (1 - w_1 w_2)^2\\): the saddle at the origin, "
                      "the curve of global minima \\(w_1 w_2 = 1\\), and the escape direction "
                      "\\(u = (1, 1)\\) of the eigenvalue \\(\\lambda = -2\\)."),
    "fig_schedules": ("Learning-rate schedules: exponential decay, linear warm-up, warm-up then "
                      "cosine decay, and the Transformer schedule."),
    "fig_paths": ("Gradient descent, momentum and Adam from the same start near the saddle of "
                  "\\(L = (1 - w_1 w_2)^2\\), one panel each."),
    "rules_h": "Update rules",
    "missing_figures": ("(Figures are left out: matplotlib is not installed; "
                        "\\texttt{pip install \"symopt[plot]\"}.)"),
}

_ZH: dict[str, str] = {
    "title": "第二周: 训练指南 (推导与验证)",
    "figure_name": "图",
    "subtitle": "下面每个公式都由 symopt 重新推导并精确验证; 原讲义中的错误列在第~7~节。",
    "notation_h": "符号",
    "notation": (
        "每个符号只有一个含义: \\(\\lambda\\) 只表示海瑟矩阵 \\(H\\) 的特征值; \\(\\eta\\) "
        "为学习率; \\(\\mu\\) 为动量系数 (讲义写作 \\(\\lambda\\)); \\(\\alpha\\) 为 RMSProp "
        "的衰减系数; \\(\\beta_1, \\beta_2\\) 为 Adam 的系数; \\(\\delta\\) 为权重衰减; "
        "\\(\\gamma\\) 为学习率调度的衰减因子; \\(\\sigma_i^t\\) 为参数 \\(i\\) 的自适应尺度; "
        "\\(\\bar{x}\\) 与 \\(s\\) 为均值与标准差; \\(\\boldsymbol{\\gamma}, "
        "\\boldsymbol{\\beta}\\) 为批次标准化中可学习的缩放与平移。"),
    "s1": "训练损失很大时: 诊断流程",
    "s1_intro": ("先看训练损失。若训练损失很大, 要么模型无法拟合数据 (模型偏差), 要么优化器"
                 "找不到好的参数 (优化问题)。若训练损失小而验证损失大, 则是过拟合, 或测试数据"
                 "与训练数据分布不同 (不匹配)。"),
    "s1_table": [
        ("模型偏差", "训练损失大; 更大的模型也没有更好", "更多特征、更多层、更灵活的模型"),
        ("优化问题", "更深的模型训练损失反而比浅的模型高", "更好的优化器 (第 3、4 节)"),
        ("过拟合", "训练损失小, 验证损失大",
         "更多数据、数据增强、更少参数、参数共享、正则化、提前停止"),
        ("不匹配", "训练数据与测试数据分布不同", "更多同类数据没有帮助; 收集与测试数据相似的数据"),
    ],
    "s1_cols": ("问题", "现象", "对策"),
    "s1_deeper": ("如何区分: 训练一个更深的模型。它至少可以复制较浅的模型, 所以若它的训练损失"
                  "更高, 问题在优化器; 否则是模型太简单。\\texttt{symopt.ml.diagnose} "
                  "对记录下来的训练结果应用这一规则。"),
    "s2": "驻点: 局部最小值与鞍点",
    "s2_eigen_h": "特征向量的求法: 解 \\((H - \\lambda I)v = 0\\)",
    "s2_eigen": ("在原点 \\(H = \\begin{bmatrix}0 & -2\\\\ -2 & 0\\end{bmatrix}\\), "
                 "\\(\\det(\\lambda I - H) = \\lambda^2 - 4\\), 所以 \\(\\lambda = \\pm 2\\)。"
                 "每个特征向量是一个齐次方程组的解:"),
    "s2_eigen_after": ("只有 \\(\\lambda = -2\\) 为负, 所以只有 \\(u = (1, 1)\\) 是下降方向: "
                       "当 \\(0 < |a| < \\sqrt{2}\\) 时 \\(L(a, a) = (1 - a^2)^2 < 1 = "
                       "L(0, 0)\\)。"),
    "s3": "批次大小与动量",
    "s3_intro": ("每次更新用 \\(N\\) 个样本中的 \\(B\\) 个; 一个回合 (epoch) 有 "
                 "\\(\\lceil N/B \\rceil\\) 次更新。小批次的梯度噪声更大 (批次梯度的协方差按 "
                 "\\(\\frac{N - B}{B(N - 1)}\\) 缩小), 而这种噪声往往有助于优化和泛化。"),
    "s3_cols": ("", "小批次", "大批次"),
    "s3_table": [
        ("每次更新的时间", "短", "无并行时较长; 有并行时差不多"),
        ("每个回合的时间, 无并行", "差不多", "差不多"),
        ("每个回合的时间, 有并行", "较长 (更新次数多)", "较短"),
        ("梯度", "有噪声", "稳定"),
        ("优化与泛化", "往往更好", "往往更差"),
    ],
    "s3_regimes": ("讲义中 ``一个回合的时间相同'' 只在没有并行时成立。若批次在并行硬件上一次算完, "
                   "大批次一次更新的时间与小批次差不多, 所以小批次的一个回合 (更新次数多) 更慢。"
                   "\\texttt{examples/batch\\_size.py} 测量并打印这两种情形。"),
    "s3_measured": "在生成本讲义的机器上测得的每个回合的时间 ({n} 个样本):",
    "s3_serial": "无并行",
    "s3_parallel": "向量化 (并行)",
    "s3_ratio": "比值",
    "s3_momentum": ("动量沿着之前的移动方向继续前进: 新的移动等于负梯度加上 \\(\\mu\\) 乘以上一步"
                    "的移动, 因此能越过鞍点或平坦区域。"),
    "s4": "学习率",
    "s4_intro": ("梯度并不小时训练也可能停滞: 学习率太大时参数在山谷两侧来回振荡, 太小时则"
                 "沿着山谷缓慢爬行。自适应方法给每个参数自己的学习率 \\(\\eta/\\sigma_i^t\\); "
                 "学习率调度则让 \\(\\eta\\) 随时间变化。"),
    "s4_summary": ("总结: \\(\\theta_i^{t+1} = \\theta_i^t - \\frac{\\eta^t}{\\sigma_i^t} "
                   "m_i^t\\)。Adagrad、RMSProp 和 Adam 改变 \\(\\sigma\\); 衰减与预热改变 "
                   "\\(\\eta\\); 动量改变 \\(m\\)。"),
    "s5": "分类",
    "s5_intro": ("分类器输出 \\(y = b' + W'\\sigma(b + Wx)\\), 每个类别一个值, 经过 softmax "
                 "后与 one-hot 标签 \\(\\hat{y}\\) 比较。"),
    "s6": "批次标准化 (Batch normalization)",
    "s6_intro": ("若各特征的尺度相差很大 (\\(x_1\\) 在 1 到 10 之间, \\(x_2\\) 在 1000 到 10000 "
                 "之间), 误差曲面在一个方向上很陡, 在另一个方向上很平, 没有一个学习率能同时适合"
                 "两者。特征缩放把每个维度放到相同的尺度上:"),
    "s6_scaling": "\\tilde{x}_i = \\frac{x_i - \\bar{x}_i}{s_i}",
    "s6_bn": ("批次标准化对每一层的输入 \\(z\\) 做同样的事, 使用该批次自己的均值与标准差, "
              "之后通常再接一个可学习的缩放与平移:"),
    "s6_bn_formula": ("\\hat{z}_i = \\frac{z_i - \\bar{z}_i}{s_i}, \\qquad "
                      "\\tilde{z}_i = \\boldsymbol{\\gamma}_i \\hat{z}_i + \\boldsymbol{\\beta}_i"),
    "s6_test": ("测试时没有批次: 使用整个训练集的统计量, 或训练时保存的移动平均 "
                "(\\(0 < p < 1\\)):"),
    "s6_moving": "\\bar{z} \\leftarrow p\\,\\bar{z} + (1 - p)\\,\\bar{z}^t",
    "s7": "勘误: 讲义的写法与正确的写法",
    "errata_cols": ("位置", "讲义写作", "正确", "原因"),
    "fig_landscape": ("例子 \\(L = (1 - w_1 w_2)^2\\): 原点处的鞍点, 全局最小值构成的曲线 "
                      "\\(w_1 w_2 = 1\\), 以及特征值 \\(\\lambda = -2\\) 的逃离方向 "
                      "\\(u = (1, 1)\\)。"),
    "fig_schedules": "学习率调度: 指数衰减、线性预热、预热后余弦衰减、Transformer 的调度。",
    "fig_paths": ("梯度下降、动量与 Adam 从鞍点附近同一起点出发, 在 "
                  "\\(L = (1 - w_1 w_2)^2\\) 上的路径, 每种方法一幅小图。"),
    "rules_h": "更新规则",
    "missing_figures": "(未安装 matplotlib, 图略; \\texttt{pip install \"symopt[plot]\"}。)",
}

#: Every erratum of the notes: (where, the notes say, correct, why), in each language.
#: Math is LaTeX in ``\\(...\\)``; handout.py checks each "correct" entry against SymPy.
ERRATA: dict[str, list[tuple[str, str, str, str]]] = {
    "en": [
        ("2, Taylor",
         "\\(\\tfrac12(\\theta - \\theta')^T(\\theta - \\theta')\\)",
         "\\(\\tfrac12(\\theta - \\theta')^T H (\\theta - \\theta')\\)",
         "the second-order Taylor term carries the Hessian; without \\(H\\) every critical "
         "point would look like a minimum"),
        ("2, example, gradient",
         "\\(g = [w_1, w_2]^T\\)",
         "\\(g = [-2w_2(1 - w_1w_2),\\ -2w_1(1 - w_1w_2)]^T\\)",
         "chain rule on \\((1 - w_1w_2)^2\\); both are zero at the origin, so the conclusion "
         "there stands"),
        ("2, example, Hessian",
         "\\(\\partial^2 L/\\partial w_1^2 = 2(-w_2)(-w_2) = 0\\)",
         "\\(2w_2^2\\), zero only where \\(w_2 = 0\\)",
         "it vanishes at the origin, not everywhere"),
        ("2, escape",
         "\\(u = (1, 1)\\) with \\(\\lambda_1 = 2\\)",
         "\\(u = (1, 1)\\) with \\(\\lambda = -2\\)",
         "\\(Hu = -2u\\); only a negative eigenvalue gives \\(u^T H u < 0\\)"),
        ("5, softmax",
         "\\(y'_i = e^{y_i} / \\sum_j e^{y_i}\\)",
         "\\(y'_i = e^{y_i} / \\sum_j e^{y_j}\\)",
         "the denominator sums over all classes \\(j\\); with \\(y_i\\) it is just \\(1/K\\)"),
        ("5, softmax",
         "\\(\\sum_i y_i = 1\\)",
         "\\(\\sum_i y'_i = 1\\)",
         "the outputs of softmax sum to one; the raw outputs \\(y\\) need not"),
        ("3, batch size",
         "one epoch: same time for small and large batches",
         "same time without parallelism; with parallel evaluation small-batch epochs are "
         "slower",
         "in parallel a large batch's update costs about as much as a small one's, and a "
         "small-batch epoch has more updates"),
        ("3, momentum",
         "\\(m^t = \\lambda m^{t-1} - \\eta g^{t-1}\\)",
         "\\(m^t = \\mu m^{t-1} - \\eta g^{t-1}\\)",
         "same rule; \\(\\lambda\\) is kept for eigenvalues"),
    ],
    "zh": [
        ("2, 泰勒展开",
         "\\(\\tfrac12(\\theta - \\theta')^T(\\theta - \\theta')\\)",
         "\\(\\tfrac12(\\theta - \\theta')^T H (\\theta - \\theta')\\)",
         "二阶泰勒项含有海瑟矩阵; 若去掉 \\(H\\), 每个驻点看起来都像最小值"),
        ("2, 例子, 梯度",
         "\\(g = [w_1, w_2]^T\\)",
         "\\(g = [-2w_2(1 - w_1w_2),\\ -2w_1(1 - w_1w_2)]^T\\)",
         "对 \\((1 - w_1w_2)^2\\) 用链式法则; 两者在原点都为零, 所以原点处的结论不变"),
        ("2, 例子, 海瑟矩阵",
         "\\(\\partial^2 L/\\partial w_1^2 = 2(-w_2)(-w_2) = 0\\)",
         "\\(2w_2^2\\), 只在 \\(w_2 = 0\\) 处为零",
         "它在原点为零, 而不是处处为零"),
        ("2, 逃离鞍点",
         "\\(u = (1, 1)\\) 对应 \\(\\lambda_1 = 2\\)",
         "\\(u = (1, 1)\\) 对应 \\(\\lambda = -2\\)",
         "\\(Hu = -2u\\); 只有负特征值才使 \\(u^T H u < 0\\)"),
        ("5, softmax",
         "\\(y'_i = e^{y_i} / \\sum_j e^{y_i}\\)",
         "\\(y'_i = e^{y_i} / \\sum_j e^{y_j}\\)",
         "分母对所有类别 \\(j\\) 求和; 写成 \\(y_i\\) 则只是 \\(1/K\\)"),
        ("5, softmax",
         "\\(\\sum_i y_i = 1\\)",
         "\\(\\sum_i y'_i = 1\\)",
         "softmax 的输出之和为 1; 原始输出 \\(y\\) 不一定"),
        ("3, 批次大小",
         "一个回合: 大小批次时间相同",
         "无并行时相同; 有并行计算时小批次的回合更慢",
         "并行时大批次一次更新的时间与小批次差不多, 而小批次一个回合的更新次数更多"),
        ("3, 动量",
         "\\(m^t = \\lambda m^{t-1} - \\eta g^{t-1}\\)",
         "\\(m^t = \\mu m^{t-1} - \\eta g^{t-1}\\)",
         "规则相同; \\(\\lambda\\) 只用于特征值"),
    ],
}

TEXT: dict[str, dict] = {"en": _EN, "zh": _ZH}
