"""The catalogue of problems: every code with its severity, its Chinese message template and
what to do (:class:`Code`).  :mod:`zwgk_cli.problems` turns a code and where it was found into a
:class:`~zwgk_cli.problems.Problem`.

Codes are grouped by the module that raises them: R rubric, L roster (名单), S sheets and rounds,
W workbook read-back, V values, C campaign/settings, P report, T teams (检查组).  A code's number
never changes once released; new problems get new codes.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "提示"}

E = Severity.ERROR
W = Severity.WARNING
# hints that several codes give
_RESCORE = "先重新运行 zwgk score(评分结果成为新的一轮),再生成通报;确需按第{round}轮的结果生成时加 --stale-ok。"
_REFILL = "使用 zwgk 生成的原评分表重新填写后交回。"


class Entry(NamedTuple):
    code: str
    severity: Severity
    template: str  # the message
    hint_template: str  # what to do


class Code(Entry, Enum):
    """Every problem zwgk reports."""

    # --- rubric (R) -------------------------------------------------------------------
    R_YAML = ("R001", E, "评分细则文件无法解析:{detail}", "按YAML格式修正该行(注意缩进与冒号)。")
    R_FILE = ("R002", E, "找不到评分细则:{detail}", "用 zwgk rubric list 查看内置细则,或给出YAML文件路径。")
    R_MISSING = ("R003", E, "缺少必填字段“{field}”", "在该位置补上“{field}”。")
    R_TYPE = ("R004", E, "字段“{field}”的值“{value}”不合要求:{expected}", "改为{expected}。")
    R_UNKNOWN = ("R005", E, "未知字段“{field}”", "删除该字段,或检查拼写(可用字段:{allowed})。")
    R_DUP_ID = ("R006", E, "编号“{id}”重复(另见 {other})", "每个节点的 id 在同一细则内必须唯一。")
    R_SUM = ("R007", E, "“{title}”的分值{declared}与下级分值合计{actual}不一致", "核对原文分值,修正本级或下级的 max。")
    R_UNREACHABLE = (
        "R008",
        E,
        "“{title}”的评分规则最多只能得到{reach}分,达不到分值{max}分",
        "检查规则中的分数与分值是否一致。",
    )
    R_REF = ("R009", E, "引用的“{ref}”不存在", "{hint}")
    R_TEXT_MAX = (
        "R010",
        W,
        "“{title}”原文写“{said}”,与分值{max}分不符(按分值{max}分计)",
        "原文笔误时在 notes 中说明采用的读法;确认后可忽略本提示。",
    )
    R_ALIAS_NONE = ("R011", E, "单位简称“{alias}”在名单中找不到对应单位", "在 aliases 中把简称映射到名单中的全称。")
    R_ALIAS_MANY = ("R012", E, "单位简称“{alias}”对应名单中多个单位:{units}", "在 aliases 中写明全称。")
    R_UNIT_DEFAULT = (
        "R013",
        W,
        "单位“{unit}”在“{title}”中没有专属细则,采用通用条目",
        "如原文另有规定,请在细则中补上。",
    )
    R_UNIT_TWICE = (
        "R014",
        W,
        "单位“{unit}”在“{title}”中出现于多个条目,采用专属条目“{chosen}”",
        "原文重复列出时以专属条目为准;确认后可忽略本提示。",
    )
    R_UNIT_NONE = ("R015", E, "单位“{unit}”在“{title}”中既无专属细则也无通用条目", "补充该单位的细则或通用条目。")
    R_NO_VARIANT = (
        "R016",
        E,
        "单位“{unit}”的分组“{group}”不适用于任何细则版本(可用:{groups})",
        "在名单中改正分组,或在细则 variants 中加入该分组。",
    )
    R_TIERS = ("R017", E, "等次设置有误:{detail}", "等次下限应各不相同,且只有一个等次没有下限。")
    R_TOO_LARGE = (
        "R018",
        E,
        "评分细则文件{detail},超过上限{limit},疑似恶意构造或选错了文件,未读取",
        "确认给出的是评分细则 YAML 文件;锚点(&)与别名(*)只用于共用少量重复内容,不要层层嵌套引用。",
    )
    R_GROUP_TWICE = (
        "R019",
        E,
        "分组“{group}”同时属于类别“{first}”和“{second}”,该分组的单位只会按“{first}”评分,“{second}”对它们永远用不上",
        "每个分组只能属于一个类别:从其中一个类别的适用分组(groups)中删去“{group}”。",
    )
    R_NA_FULL_BONUS = (
        "R020",
        E,
        "加分项“{title}”对不适用的单位给满分{max}分:这些单位不做工作也白得加分",
        "给该项写 na_points: zero(工作簿“不适用时”选“得0分”)。",
    )
    R_NA_FULL_AWARD = (
        "R021",
        W,
        "得分项“{title}”对不适用的单位给满分{max}分",
        "原文规定不涉及的单位得满分时可忽略本提示;否则写 na_points: zero(工作簿“不适用时”选“得0分”)。",
    )
    R_PART_TITLES = (
        "R022",
        E,
        "部分编号“{id}”在类别“{first}”中是“{title1}”,在类别“{second}”中是“{title2}”",
        "各类别中同一编号应是同一部分(结果按编号汇总对比):统一名称,或改用不同的编号。",
    )
    # targets assessed in their own right (国办 19号: websites and accounts ranked)
    R_NOTHING_RANKED = (
        "R033",
        E,
        "细则写明不对单位排名(rank_units: false),但没有哪类评价对象单独排名,通报将无排名可列",
        "给要排名的评价对象类型写 assessed: true(工作簿“评价对象”表“单独排名”填“是”),或删去 rank_units: false。",
    )
    R_KIND_UNSCORED = (
        "R034",
        E,
        "评价对象“{title}”要求单独排名,但没有按该对象逐个评分的部分",
        "给按{title}评分的部分写 per_target: {id}(工作簿“按对象评分”列),或删去该对象的单独排名。",
    )
    R_KIND_THRESHOLD = (
        "R035",
        E,
        "评价对象“{title}”的合格线{min}分高于其满分{max}分(类别“{variant}”),任何{title}都不会合格",
        "核对原文的合格线,以及按{title}评分的各部分分值。",
    )

    # structures of the national standard (单项否决即停止评分, 折算, 按名单属性选类别)
    R_STOP_SUBPARTS = (
        "R023",
        E,
        "部分“{title}”含有下级部分,不能写“否决后停止评分”(veto_effect: stop)",
        "把 veto_effect: stop 写在含有单项否决项的下级部分上(工作簿“否决后本部分”选“停止评分”)。",
    )
    R_WHEN_OVERLAP = (
        "R024",
        E,
        "类别“{first}”与“{second}”都适用于分组“{group}”,且适用条件(when)可能同时成立:同时符合的单位只会按“{first}”评分",
        "让两个类别的 when 在同一名单属性上取不同的值(如“有对外服务:是”与“有对外服务:否”),"
        "或只给其中一个写 when(没有 when 的类别放在后面,作为其余单位的类别)。",
    )
    R_WHEN_SHADOWED = (
        "R025",
        E,
        "类别“{second}”永远用不上:排在前面的类别“{first}”不设适用条件(when),已包揽分组“{group}”的全部单位",
        "把带适用条件(when)的类别“{second}”移到“{first}”之前。",
    )
    R_OPTIONAL_SCORED = (
        "R030",
        E,
        "填写项“{label}”({id})参与计分,却设为选填(required: false):留空时无法计分",
        "删除 required: false(计分的填写项必须填写);只作说明的内容改用 kind: text。",
    )

    # --- roster (L) -------------------------------------------------------------------
    L_FILE = (
        "L001",
        E,
        "无法读取名单文件:{detail}",
        "名单应为 CSV(UTF-8 或 GBK 编码)或 XLSX 文件:改正文件或路径后重新运行。",
    )
    L_COLUMN = ("L002", E, "名单缺少列“{column}”", "在表头加上“{column}”列(可用列见 README“名单格式”)。")
    L_DUP = ("L003", E, "单位编号或名称“{value}”重复(另见第{other}行)", "每个单位只能出现一次。")
    L_GROUP = (
        "L004",
        E,
        "单位“{unit}”的分组“{group}”不在细则的分组中({groups})",
        "改为细则中的分组之一;或在 zwgk.toml 的 [campaign] 中用 group_map 写明本地分组对应细则的哪个分组,"
        '如 group_map = {{"乡镇" = "县市区", "县直部门" = "市直部门"}}。',
    )
    L_TARGET_UNIT = ("L005", E, "网站“{target}”所属单位“{unit}”不在名单中", "改正所属单位名称,使其与单位名单一致。")
    L_EMPTY = ("L006", E, "第{row}行“{column}”为空", "补全该单元格。")
    L_ATTR = (
        "L007",
        E,
        "属性“{column}”的值“{value}”无法识别,应为“是”或“否”",
        "细则的适用条件按“是/否”读这一列:改为“是”或“否”(有/无、√ 也可),否则该单位会被当作“否”。",
    )
    L_NO_TARGET = ("L008", E, "单位“{unit}”没有{kind},但细则要求按{kind}逐个评分", "在网站名单中为该单位补上{kind}。")
    L_DUP_TARGET = ("L009", E, "网站“{target}”重复(另见第{other}行)", "每个网站只能出现一次。")
    L_ENCODING = (
        "L010",
        W,
        "名单不是 UTF-8 编码,已按 {encoding} 编码读取",
        "核对名单中的汉字是否显示正常;如有乱码,用 Excel/WPS 另存为“CSV UTF-8(逗号分隔)”或 XLSX 后重新运行。",
    )
    L_CONDITION_COLUMN = (
        "L011",
        W,
        "细则的适用条件用到名单列“{column}”,但名单没有这一列:每个单位都按不具备“{column}”计分",
        "在名单表头加上“{column}”列并为每个单位填写;确实没有单位具备的,可以不加。",
    )
    L_TARGET_KIND = (
        "L012",
        W,
        "对象表中{count}个对象的类型“{kind}”不是细则的对象类型({kinds}),不参加评分:{rows}",
        "类型写错的,改为细则的对象类型之一;细则不考评这类对象的,可以从表中删去。",
    )

    # --- campaign settings: zwgk.toml (C) -----------------------------------------------
    C_FILE = (
        "C001",
        E,
        "无法读取设置文件:{detail}",
        "zwgk.toml 应为考评目录中的文本文件:改正后重新运行(可用 zwgk new 在新目录中生成一份作参照)。",
    )
    C_MISSING = (
        "C002",
        E,
        "{dir} 中没有设置文件 zwgk.toml",
        "先用 zwgk new 创建考评目录,或用 --campaign 指定含 zwgk.toml 的目录。",
    )
    C_ENCODING = (
        "C003",
        E,
        "设置文件不是 UTF-8 编码",
        "用记事本打开 zwgk.toml,“另存为”时把编码选为“UTF-8”,保存后重新运行。",
    )
    C_SYNTAX = ("C004", E, "设置文件格式有误,第{line}行第{column}列:{detail}", "{todo}")
    C_UNKNOWN_KEY = (
        "C005",
        E,
        "未知设置“{key}”{guess}",
        "改正拼写,不需要的设置删除该行(本分组可用的设置:{known})。",
    )
    C_UNKNOWN_SECTION = (
        "C006",
        E,
        "未知的设置分组“[{section}]”{guess}",
        "设置分组只有 [campaign]、[paths]、[notice]、[sheets]:改正拼写,或删除该分组。",
    )
    C_VALUE = ("C007", E, "设置“{key}”({meaning})的值 {found} 不合要求", "改为{expected}。")
    C_TWICE = ("C008", E, "设置“{key}”写了两处(另见{other})", "只保留一处,删除另一行。")
    C_OVERLAP = (
        "C009",
        E,
        "{key} = {value} {relation}(returned_dir = {other}):{why}",
        "把 {key} 改为交回目录以外的目录(如默认的 {default})。",
    )
    C_PATH = (
        "C010",
        E,
        "{key}({meaning})指向的“{value}”无法使用:{detail}",
        "改正 zwgk.toml 中 {key} 的路径(相对于考评目录),或把文件放到该位置。",
    )
    # messages a person understands (C011–C019)
    C_NO_CAMPAIGN = (
        "C011",
        E,
        "当前目录不是考评目录(没有 zwgk.toml)",
        "请先 cd 到考评目录(例如 cd 2022考评),或用 -C 指定:{command} -C 2022考评{alt}。"
        "还没有考评目录时,用 zwgk new 创建。",
    )

    # --- workbook read-back (W) --------------------------------------------------------
    W_UNREADABLE = ("W001", E, "无法打开文件:{detail}", "检查文件是否仍在、是否有读取权限,然后重新运行。")
    W_EMPTY_FILE = ("W002", E, "文件为空(0字节)", "文件可能在传输中损坏:请评估人员重新发送评分表。")
    W_NOT_XLSX = (
        "W003",
        E,
        "不是 Excel 工作簿:文件内容是{found}",
        "请交回由 zwgk 生成、用 Excel/WPS/LibreOffice 填写后保存的 .xlsx 文件。",
    )
    W_BROKEN_ZIP = (
        "W004",
        E,
        "工作簿已损坏或不完整:{detail}",
        "文件可能未传完或已损坏:请用 Excel 打开确认后重新保存、重新发送。",
    )
    W_LEGACY_XLS = (
        "W005",
        E,
        "这是旧版 Excel 97-2003 格式(.xls),无法读取评分表中的标识",
        "用 Excel/WPS 打开后“另存为”Excel 工作簿(.xlsx)再交回。",
    )
    W_ENCRYPTED = (
        "W006",
        E,
        "工作簿设置了打开密码(已加密),无法读取",
        "取消打开密码(文件→信息→保护工作簿)后保存为 .xlsx 再交回。",
    )
    W_MACROS = (
        "W007",
        E,
        "工作簿含宏(VBA 代码),为安全起见不予读取",
        "用 Excel 打开后“另存为”Excel 工作簿(.xlsx,不含宏)再交回。",
    )
    W_TOO_LARGE = (
        "W008",
        E,
        "工作簿解压后过大({detail}),超过上限{limit},疑似压缩炸弹或被粘贴了大量内容,未读取",
        "使用 zwgk 生成的原评分表重新填写;不要在评分表中粘贴大段内容或图片。",
    )
    W_XML_ENTITY = ("W009", E, "工作簿内部文件“{part}”含有 XML 实体声明(DOCTYPE),可能是恶意构造的文件,未读取", _REFILL)
    W_NOT_ZWGK = (
        "W010",
        E,
        "不是 zwgk 生成的评分表(没有隐藏的标识工作表“{sheet_name}”){detail}",
        "请使用 zwgk init-sheets 生成的评分表填写;不要把内容复制到新建的工作簿中。",
    )
    W_BAD_META = ("W011", E, "评分表的标识信息已损坏:{detail}", _REFILL)
    W_RUBRIC_VERSION = (
        "W012",
        E,
        "评分表按细则“{found}”生成,与本次考评的细则“{expected}”不是同一份细则",
        "用 zwgk init-sheets 按当前细则重新生成该单位的评分表,把已填内容转录后交回。",
    )
    W_UNKNOWN_UNIT = (
        "W013",
        E,
        "评分表所属单位“{found}”(编号{unit_id})不在本次考评的单位名单中",
        "核对单位名单;如单位名称有变化,请按当前名单重新生成评分表。",
    )
    W_DUPLICATE = (
        "W014",
        E,
        "单位“{unit_name}”交回了多份评分表:{files};均未采用",
        "确认哪一份是最终版本,把其余的移出交回目录后重新运行。",
    )
    W_NO_WORKBOOK = ("W015", E, "单位“{unit_name}”没有交回评分表", "催交评分表;交回后放入交回目录重新运行。")
    W_SHEET_MISSING = (
        "W016",
        E,
        "找不到工作表“{sheet_name}”(可能被删除或改名),其中{count}个填写项无法读取",
        "恢复原工作表名称,或使用原评分表重新填写。",
    )
    W_ROW_MOVED = (
        "W017",
        E,
        "填写项“{label}”应在第{row}行,但该行的编号是“{found}”(应为“{expected}”){moved}",
        "评分表的行被插入、删除或移动过:请恢复原行顺序(或使用原评分表),不要插入或删除行。",
    )
    W_SHEET_TOO_BIG = (
        "W018",
        E,
        "工作表“{sheet_name}”声明了{rows}行/{cols}列,远超评分表应有的大小,未读取",
        "使用 zwgk 生成的原评分表重新填写;不要整列/整行填充内容。",
    )
    W_MERGED_INPUT = (
        "W019",
        E,
        "填写单元格被合并({range}),无法确定所填内容属于哪一项",
        "取消合并单元格(开始→合并后居中→取消合并),分别填写每一项。",
    )
    W_TARGETS_CHANGED = (
        "W020",
        E,
        "{kind}“{target}”{detail}",
        "名单中的{kind}与生成评分表时不一致:按当前名单重新生成该单位的评分表,或改正名单。",
    )
    W_OTHER_FORMAT = (
        "W021",
        E,
        "这是{found},不是 Excel 工作簿(.xlsx)",
        "用原软件打开后“另存为”Excel 工作簿(.xlsx)再交回。",
    )
    W_FORMAT_VERSION = (
        "W022",
        E,
        "评分表格式版本“{found}”不受本程序支持(支持:{expected})",
        "升级 zwgk,或用当前版本重新生成评分表。",
    )
    W_CELL_ERROR = (
        "W023",
        E,
        "读取工作表“{sheet_name}”失败:{detail}",
        "用 Excel 打开确认该工作表完好后重新保存;必要时使用原评分表重新填写。",
    )
    W_INPUTS_FILE = (
        "W024",
        E,
        "无法读取填写数据表:{detail}",
        "填写数据表应为 CSV(UTF-8 或 GBK 编码),表头为 {columns}。",
    )
    W_INPUTS_ROW = (
        "W025",
        E,
        "{detail}",
        "用 zwgk inspect --json 查看单位、对象、细则与填写项的编号,改正该行。",
    )
    W_INPUTS_DUP = (
        "W026",
        E,
        "与第{other}行重复填写了“{label}”,两行均未采用",
        "每个单位的每个填写项只能填一次:删除多余的行。",
    )
    W_WORKBOOK_UNIT_CHANGED = (
        "W027",
        W,
        "评分表中的单位名称“{found}”与名单中的“{expected}”不同(编号{unit_id}相同,按名单计)",
        "名单已更名时可忽略;否则核对单位编号。",
    )
    W_ROW_RELOCATED = (
        "W028",
        W,
        "填写项“{label}”(编号{id})已从{old}移到{new}(行或列被插入、删除或移动过),已按编号在新位置读取",
        "核对该项所填内容;以后请不要在评分表中插入或删除行列。",
    )
    W_TARGET_EXTRA = (
        "W029",
        W,
        "评分表中有{kind}“{target}”,但单位名单中已没有它,其填写内容未计分",
        "如该{kind}仍应评分,请把它补回名单后重新运行。",
    )
    W_INPUT_ABSENT = (
        "W030",
        E,
        "细则要求填写“{label}”,但评分表中没有这一项(生成评分表后名单或细则有变化)",
        "按当前名单与细则重新生成该单位的评分表,把已填内容转录后交回。",
    )
    W_UNEXPECTED = (
        "W031",
        E,
        "读取时出现意外错误({detail}),该文件未能读取",
        "用 Excel 打开确认文件完好后重新保存;问题仍在时请把文件交给技术支持。",
    )
    W_VARIANT_CHANGED = (
        "W032",
        E,
        "评分表按细则版本“{found}”生成,但名单中该单位(分组“{group}”)适用“{expected}”",
        "核对名单中的分组;分组无误时按当前名单重新生成该单位的评分表。",
    )
    W_SIZE_FORGED = (
        "W033",
        E,
        "工作簿内部文件“{part}”谎报了解压后的大小(声明{declared},实际更大),疑似压缩炸弹,未读取",
        _REFILL,
    )
    W_NOTHING_FILLED = (
        "W034",
        E,
        "评分表一项也没有填写({count}个必填项均为空)",
        "请评估人员填写后交回;如果交错了文件,换成已填写的那一份。",
    )
    W_OVERTIME = (
        "W035",
        E,
        "读取超过{limit}秒仍未完成,已停止读取该文件",
        "用 Excel 打开该文件另存一份后重新交回;问题仍在时请把文件交给技术支持。",
    )
    W_SHEET_OTHER_UNIT = (
        "W036",
        E,
        "工作表“{sheet_name}”的标题写的是单位“{found}”,不是本评分表所属的单位“{expected}”;其中{count}个填写项未读取",
        "该工作表可能是从其他单位的评分表复制来的:换回本单位原来的工作表(或在本单位的原评分表中重新填写)后交回。",
    )
    W_NOT_A_WORKBOOK = (
        "W037",
        W,
        "不是评分表(.xlsx),未读取",
        "评分表请以 .xlsx 交回;佐证材料等其他文件可以留在这里,本提示可忽略。",
    )
    # messages a person understands: a zip of workbooks (W045–W049)
    W_ZIP_NESTED = (
        "W045",
        W,
        "压缩包中的压缩包,未打开(只读取一层压缩包)",
        "把其中的评分表解压出来,直接放进交回目录或外层压缩包,然后重新运行。",
    )
    W_ZIP_UNREADABLE = (
        "W046",
        E,
        "压缩包无法读取,其中的评分表都未读取:{why}",
        "请重新打包(.zip)发送,或解压后把其中的评分表直接放进交回目录,然后重新运行。",
    )
    # rubric revisions during a campaign (workbook/revision.py)
    W_RUBRIC_REVISED = (
        "W040",
        W,
        "评分表按细则“{found}”生成,本次考评的细则已修订为“{expected}”;填写项未变,已按修订后的细则评分",
        "修订前后的差别可用 zwgk rubric diff 旧细则 新细则 查看;修订应适用于本次考评时可忽略本提示。",
    )
    W_RUBRIC_INCOMPATIBLE = (
        "W041",
        E,
        "评分表按细则“{found}”生成,本次考评的细则“{expected}”修订后填写项有变化,该评分表无法按新细则读取:{changes}",
        "用 zwgk init-sheets --force --units {unit_id} 按当前细则重新生成该单位的评分表,把已填内容转录后交回;"
        "或在 zwgk.toml 中改回生成评分表时的细则后重新运行。",
    )

    # --- sheets: zwgk new / init-sheets (S) ---------------------------------------------
    S_EXISTS = (
        "S001",
        E,
        "评分表已存在,未覆盖:{files}",
        "确认要重新生成时加 --force 覆盖(已填写的内容会丢失),或用 --out 指定另一个目录。",
    )
    S_UNIT_SKIPPED = (
        "S002",
        E,
        "单位“{unit}”未生成评分表:{detail}",
        "按上面列出的名单或细则问题修正后,用 zwgk init-sheets --units {unit} 补生成。",
    )
    S_CAMPAIGN_EXISTS = (
        "S003",
        E,
        "{dir} 中已有 zwgk.toml,未覆盖",
        "换一个新目录,或加 --force 覆盖设置文件和名单。",
    )
    S_WRITE = ("S004", E, "无法写入评分表:{detail}", "检查输出目录是否存在、是否有写入权限、文件是否正被打开。")

    # --- sheets: issuing mid-campaign (init-sheets without --force) ---------------------
    S_NOT_IN_ROSTER = (
        "S010",
        W,
        "评分表所属的单位“{unit_name}”(编号{unit_id})不在名单中;该评分表未改动、未删除",
        "单位已撤销或合并的,可把该评分表移出评分表目录;单位改了名称或编号的,核对名单。",
    )
    S_NAME_TAKEN = (
        "S011",
        E,
        "单位“{unit}”的评分表未生成:评分表目录中已有同名文件“{file_name}”,{detail}",
        "查看该文件是什么:仍有用的移出评分表目录,然后重新运行 zwgk init-sheets 补发。",
    )
    S_UNREADABLE_ISSUED = (
        "S012",
        W,
        "评分表目录中的这个文件不是可识别的评分表,未改动:{detail}",
        "损坏的评分表可删除后重新运行 zwgk init-sheets 补发;不是评分表的文件请移出评分表目录。",
    )
    S_OTHER_RUBRIC = (
        "S013",
        W,
        "已发放的评分表按细则“{found}”生成,与当前细则“{expected}”不是同一版本;未改动",
        "用 zwgk rubric diff 比较两个版本:兼容的修订,交回后照常按当前细则计分(W040);不兼容的(W041),"
        "用 zwgk init-sheets --units {unit} --force 按当前细则重新生成(已填写的内容会丢失)。",
    )
    S_ISSUED_TWICE = (
        "S014",
        W,
        "单位“{unit}”在评分表目录中有多份评分表:{files}",
        "只保留要发给评估人员的那一份,其余移出评分表目录。",
    )
    # --- rounds: is the report built from the current scores? (S005–S009) --------------
    S_STALE_CHANGED = ("S005", E, "第{round}轮评分结果生成后,{what}已修改", _RESCORE)
    S_STALE_ADDED = ("S006", E, "第{round}轮评分结果生成后,新增了{what}", _RESCORE)
    S_STALE_REMOVED = ("S007", E, "第{round}轮评分结果生成后,{what}已删除、移走或改名", _RESCORE)
    S_STALE_RUBRIC = (
        "S008",
        E,
        "第{round}轮评分结果生成后,评分细则“{rubric}”的内容有变化{detail}",
        "用 zwgk rubric check 核对细则,必要时重新生成评分表;再运行 zwgk score 后生成通报。"
        "确需按第{round}轮的结果生成时加 --stale-ok。",
    )
    S_UNCHECKED = (
        "S009",
        W,
        "无法核对评分结果是否为最新:{detail}",
        "重新运行 zwgk score:新的评分结果会记录所用的文件,zwgk report 据此核对。",
    )

    # --- values (V) ---------------------------------------------------------------------
    V_EMPTY = ("V001", E, "“{label}”未填写(未填不等于0)", "请填写{expected}{zero_hint}。")
    V_NOT_NUMBER = ("V002", E, "“{label}”填写的是“{found}”,不是数字", "改为{expected}。")
    V_NOT_WHOLE = ("V003", E, "“{label}”填写的是{found},不是整数", "改为{expected}。")
    V_NEGATIVE = ("V004", E, "“{label}”填写的是{found},不能为负数", "改为{expected}。")
    V_RANGE = ("V005", E, "“{label}”填写的是{found},超出范围", "改为{expected}。")
    V_STEP = ("V006", E, "“{label}”填写的是{found},不是{step}分的整数倍", "改为{expected}。")
    V_OPTION = ("V007", E, "“{label}”填写的是“{found}”,不是可选项", "改为{expected}。")
    V_DATE = (
        "V008",
        E,
        "“{label}”中是日期/时间“{found}”,应为{expected}",
        "该单元格被设成了日期格式:把单元格格式改为“常规”后重新填写。",
    )
    V_BOOL = ("V009", E, "“{label}”中是逻辑值{found},应为{expected}", "改为{expected}。")
    V_ERROR_VALUE = ("V010", E, "“{label}”中是错误值“{found}”", "改为{expected}。")
    V_FORMULA = (
        "V011",
        E,
        "“{label}”中填的是公式“{found}”;评分不采信公式的计算结果",
        "删除公式,直接填写{expected}。",
    )
    V_NORMALISED = ("V012", W, "“{label}”填写的是“{found}”,已按“{read}”读取({why})", "如不是此意,请改正后重新交回。")
    V_NO_NOTE = (
        "V013",
        W,
        "该项扣{lost}分,但没有填写扣分说明",
        "在“扣分说明”中写明发现的问题(如栏目名称、网址),整改清单将引用它。",
    )
    V_NO_EVIDENCE = (
        "V014",
        W,
        "未按时提供佐证材料,按细则该项不得分(按所填内容本可得{would}分)",
        "细则规定需提供佐证材料;如材料已按时提供,把“{label}”改为“是”。",
    )
    V_TEXT_TOO_LONG = ("V015", W, "“{label}”内容过长({length}字),已截取前{limit}字", "精简说明文字。")
    V_NOT_APPLICABLE = (
        "V016",
        W,
        "“{label}”对本单位不适用,所填“{found}”未计分",
        "该项按细则不适用于本单位;确认后可删除所填内容。",
    )
    V_PERCENT_FRACTION = (
        "V017",
        W,
        "“{label}”填写的是{found},按{found}%计;如本意是{as_percent}%,请填{as_percent}",
        "百分比填0到100之间的数,不带%号。",
    )
    V_NOTE_FORMULA = (
        "V018",
        W,
        "扣分说明中填的是公式“{found}”,未作为说明读取",
        "删除公式,直接写明发现的问题(如栏目名称、网址),整改清单将引用它。",
    )
    V_ABSURD = (
        "V019",
        E,
        "“{label}”填写的是{found},数值过大或位数过多,不是合理的填写",
        "核对后改为{expected}(整数部分不超过{digits}位,小数不超过{decimals}位)。",
    )
    V_CONTROL_CHARS = (
        "V020",
        W,
        "“{label}”中有{count}个不可见的控制字符(常见于从 Word 粘贴的内容),已去掉(Word 的手动换行已换成普通换行)",
        "核对该单元格的内容;从 Word 复制时可用“选择性粘贴→只保留文本”。",
    )

    # --- report (P) --------------------------------------------------------------------
    P_SCORES = (
        "P001",
        E,
        "评分结果文件无法使用:{detail}",
        "先运行 zwgk score 生成 results/scores.json,或给出正确的文件路径。",
    )
    P_PENDING = (
        "P002",
        W,
        "{count}个单位评分未完成,未参加排名:{units}",
        "补正这些单位的评分表后,重新运行 zwgk score 和 zwgk report。",
    )
    P_NO_PDF = (
        "P003",
        W,
        "未找到 LibreOffice,未生成 通报.pdf",
        "安装 LibreOffice 后重新运行;或用 WPS/Word 打开 通报.docx 另存为 PDF。",
    )
    P_TEMPLATE = ("P004", E, "模板“{name}”有误:{detail}", "改正模板目录中的该模板,或删除它以使用内置模板。")
    P_TIER = (
        "P005",
        W,
        "单位“{unit}”评分结果中的等次“{recorded}”与按细则等次计算的“{computed}”不一致,按计算结果列出",
        "评分结果可能来自旧版细则:重新运行 zwgk score。",
    )
    P_SETTING = (
        "P006",
        W,
        "通报设置缺少“{field}”({label}),通报中暂以“{placeholder}”代替",
        "在 zwgk.toml 的 [notice] 中填写 {field} 后重新运行 zwgk report。",
    )
    P_PDF = (
        "P007",
        W,
        "通报.pdf 转换失败:{detail}",
        "确认 LibreOffice 能正常运行后重试;或用 WPS/Word 打开 通报.docx 另存为 PDF。",
    )
    P_FONTS = (
        "P008",
        W,
        "本机没有通报所用的字体 {fonts},通报.pdf 中以 {instead} 代替,字形和版式与正式文件不同",
        "通报.pdf 只作预览;印发时在装有这些字体的电脑上用 WPS 或 Word 打开 通报.docx 打印,或安装这些字体后重新运行。",
    )
    P_TARGETS_PENDING = (
        "P015",
        W,
        "{count}个{kind}所属单位评分未完成,未参加{kind}排名:{targets}",
        "补正这些单位的评分表后,重新运行 zwgk score 和 zwgk report。",
    )
    P_NO_TARGETS = (
        "P016",
        W,
        "细则要求对{kind}单独排名,但评分结果中没有{kind}",
        "在网站名单中列出各单位的{kind}(“类型”列填“{kind}”),重新运行 zwgk init-sheets、zwgk score。",
    )

    # --- report: 初评结果反馈 (--draft) and 与上年比较 (--compare) ---------------------------------
    P_DRAFT_SETTING = (
        "P010",
        W,
        "初评结果反馈缺少设置“{field}”({label}),反馈文件中暂以“{placeholder}”代替",
        "在 zwgk.toml 的 [notice] 中写上一行 {example}(改为实际的值)后重新运行 zwgk report --draft。",
    )
    P_PREVIOUS = (
        "P011",
        E,
        "上年评分结果无法使用:{detail}",
        "--compare 给出上年 zwgk score 生成的 scores.json,或含有 results/scores.json 的上年考评目录。",
    )
    P_PREVIOUS_FOREIGN = (
        "P012",
        E,
        "上年评分结果中没有一个单位与本次考评的单位对应(编号、名称、别名都不相同),不是本地区的考评结果",
        "核对 --compare 给出的文件;单位编号改过的,在本年单位名单的“别名”列中写上单位的原名称。",
    )
    P_PREVIOUS_YEAR = (
        "P013",
        W,
        "上年评分结果的考评年度是{previous}年,不早于本次的{current}年",
        "核对 --compare 给出的是否为上一年度的评分结果(文件中的年度取自当年的 zwgk.toml)。",
    )
    P_PREVIOUS_AMBIGUOUS = (
        "P014",
        W,
        "上年的单位“{unit}”按名称或别名对应本年的多个单位({candidates}),未作比较",
        "在本年单位名单的“别名”列中只给其中一个单位写这个名称,或让两年的单位编号保持一致。",
    )

    # --- teams: 检查组 in zwgk.toml, their workbooks merged at scoring (T) -------------------
    T_PART_UNKNOWN = (
        "T001",
        E,
        "检查组“{team}”的部分“{part}”在细则中找不到",
        "parts 中写细则中部分的编号或名称(本细则的部分:{known})。",
    )
    T_KIND_UNKNOWN = (
        "T002",
        E,
        "检查组“{team}”的对象类型“{kind}”在细则中没有按它逐个评分的部分",
        "targets 中写按对象逐个评分的对象类型(本细则:{known}),或删去该项。",
    )
    T_PART_TWICE = (
        "T003",
        E,
        "部分“{part}”同时分给了检查组{teams}",
        "每个部分只能由一个检查组评分:从其余检查组的 parts 或 targets 中删去它。",
    )
    T_PART_NONE = (
        "T004",
        E,
        "部分“{part}”{variant}没有分给任何检查组",
        "在负责它的检查组的 parts 中加上“{part_id}”(或它的上级部分)。",
    )
    T_CONFLICT = (
        "T005",
        E,
        "“{label}”在两处填写的值不同:{first}填“{first_value}”,{second}填“{second_value}”;均未采用",
        "核对后只保留正确的一处(把另一处清空或改成相同的值),然后重新运行 zwgk score。",
    )
    T_TEAM_MISSING = (
        "T006",
        E,
        "单位“{unit_name}”没有交回{team}的评分表(该组评分:{parts})",
        "催交{team}的评分表;交回后放入交回目录重新运行。其余检查组的内容已读取,该单位暂为评分未完成。",
    )
    T_TEAM_UNKNOWN = (
        "T007",
        E,
        "评分表属于检查组“{found}”(评分部分:{parts}),{detail}",
        "按 zwgk.toml 中当前的检查组设置用 zwgk init-sheets 重新生成该单位的评分表,把已填内容转录后交回。",
    )
    T_TEAM_TWICE = (
        "T008",
        E,
        "单位“{unit_name}”交回了多份{team}的评分表:{files};均未采用",
        "确认哪一份是最终版本,把其余的移出交回目录后重新运行。",
    )
