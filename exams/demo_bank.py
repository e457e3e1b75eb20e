"""A realistic low-voltage electrician question bank (低压电工作业), generated from tables of
facts a training centre teaches: safety distances, safe voltages, RCDs, earthing, wire colours,
instruments, PPE test periods, first aid, fire fighting. Used by the demo data and the bench."""

from __future__ import annotations

import random

# knowledge point -> rows of (subject, correct answer, explanation)
SAFETY_DISTANCES = [  # 设备不停电时的安全距离
    ("10kV及以下", "0.7m"), ("20kV、35kV", "1.0m"), ("66kV、110kV", "1.5m"), ("220kV", "3.0m"), ("500kV", "5.0m"),
]
WORKING_DISTANCES = [  # 工作人员工作中正常活动范围与设备带电部分的安全距离
    ("10kV及以下", "0.35m"), ("20kV、35kV", "0.60m"), ("66kV、110kV", "1.50m"), ("220kV", "3.00m"),
]
SAFE_VOLTAGES = [
    ("特别潮湿或金属容器内（如锅炉、金属容器内）工作的手持照明灯", "12V"),
    ("潮湿场所或金属构架上工作的手持照明灯", "24V"),
    ("一般场所（有触电危险的场所）使用的手持电动工具和照明灯", "36V"),
    ("水下作业等特殊场所", "6V"),
]
WIRE_COLOURS = [("L1相", "黄色"), ("L2相", "绿色"), ("L3相", "红色"), ("中性线（N线）", "淡蓝色"), ("保护线（PE线）", "绿/黄双色")]
INSTRUMENTS = [
    ("测量电气设备的绝缘电阻", "兆欧表"), ("不断开电路测量交流电流", "钳形电流表"),
    ("测量接地装置的接地电阻", "接地电阻测试仪"), ("测量电路的交直流电压、电阻", "万用表"),
    ("测量电能（电度）", "电能表"),
]
PPE_PERIODS = [("低压绝缘手套", "6个月"), ("绝缘靴", "6个月"), ("绝缘操作杆", "1年"), ("高压验电器", "6个月"),
               ("携带型接地线", "5年")]
EARTHING = [
    ("低压配电系统工作接地电阻一般不应大于", "4Ω"), ("TN系统中重复接地的接地电阻一般不应大于", "10Ω"),
    ("防雷接地（独立避雷针）的接地电阻一般不应大于", "10Ω"), ("电子设备等要求较高的接地电阻一般不应大于", "1Ω"),
]
FIRE = [("电气设备着火，在未切断电源前应使用", "二氧化碳灭火器或干粉灭火器"),
        ("带电灭火时不得使用", "泡沫灭火器和水"),
        ("扑救电气火灾首先应", "切断电源")]
FIRST_AID = [
    ("发现有人触电，首先应", "使触电者迅速脱离电源"),
    ("成人胸外心脏按压的频率为每分钟", "100～120次"),
    ("成人胸外心脏按压的深度为", "5～6cm"),
    ("单人心肺复苏时胸外按压与人工呼吸的比例为", "30:2"),
    ("触电者脱离电源后呼吸心跳停止，应立即进行", "心肺复苏"),
]
RCD = [
    ("用于直接接触电击防护的剩余电流动作保护器，额定剩余动作电流不应大于", "30mA"),
    ("用于直接接触电击防护的剩余电流动作保护器，额定动作时间不应大于", "0.1s"),
    ("剩余电流动作保护器应定期检查，一般每月按试验按钮", "一次"),
]
TRUE_FALSE = [
    ("停电作业时，验电前应先在有电设备上确认验电器良好。", True, "验电器使用前须在有电设备上试验，确认良好。"),
    ("可以用湿手操作开关或触摸电气设备。", False, "湿手电阻降低，极易触电。"),
    ("在同一低压系统中，可以一部分设备保护接地、另一部分设备保护接零。", False, "同一系统中不允许混用接地与接零保护。"),
    ("PE线上不得装设开关或熔断器。", True, "PE线断开将使保护失效。"),
    ("漏电保护器安装后可以取消原有的接地或接零保护。", False, "漏电保护器只是附加保护，不能替代接地接零。"),
    ("万用表测量电阻前应先进行欧姆调零。", True, "每换一次倍率档都应重新调零。"),
    ("兆欧表测量前应先切断被测设备电源并对其放电。", True, "防止残余电荷伤人和损坏仪表。"),
    ("钳形电流表可以测量裸导线的电流。", False, "测量裸导线易造成短路或触电，应测绝缘导线。"),
    ("电气设备着火时可以用水直接扑救。", False, "水导电，带电时不得用水灭火。"),
    ("挂接地线时应先接接地端，后接导体端。", True, "拆除时顺序相反。"),
    ("拆除接地线时应先拆接地端，后拆导体端。", False, "应先拆导体端，后拆接地端。"),
    ("特种作业人员必须经专门的安全技术培训并考核合格，取得特种作业操作证后方可上岗。", True, "《安全生产法》规定。"),
    ("特种作业操作证每3年复审一次。", True, "特种作业操作证有效期6年，每3年复审一次。"),
    ("电工可以单人进行高压设备倒闸操作。", False, "倒闸操作应由两人进行，一人操作一人监护。"),
    ("胸外心脏按压的部位是胸骨下半部（两乳头连线中点）。", True, "按压部位正确才能有效。"),
    ("触电者未脱离电源前，救护人员可以直接用手拉触电者。", False, "应使用绝缘工具或断开电源，防止救护人触电。"),
    ("螺口灯头的螺纹应接在中性线（零线）上。", True, "防止更换灯泡时触电。"),
    ("熔断器的熔体可以用铜丝代替。", False, "铜丝熔点高，不能起保护作用。"),
    ("临时用电线路可以沿地面随意敷设。", False, "应架空或穿管保护，防止机械损伤。"),
    ("电动机外壳应可靠接地或接零。", True, "防止绝缘损坏时外壳带电。"),
]
MULTIPLE = [
    ("下列属于电气安全用具中基本绝缘安全用具的有（低压）", ["绝缘手套", "带绝缘柄的工具", "低压验电器"],
     ["绝缘垫", "安全带"], "绝缘垫属于辅助绝缘安全用具。", "个人防护用品"),
    ("保证安全的技术措施包括", ["停电", "验电", "装设接地线", "悬挂标示牌和装设遮栏"], ["工作许可"],
     "工作许可属于组织措施。", "安全用电基础"),
    ("保证安全的组织措施包括", ["工作票制度", "工作许可制度", "工作监护制度"], ["验电", "装设接地线"],
     "验电、接地属于技术措施。", "安全用电基础"),
    ("电气火灾的主要原因有", ["短路", "过载", "接触电阻过大"], ["电压过低时灯泡变暗"], "以上均会导致发热起火。", "电气防火"),
    ("使触电者脱离低压电源的方法有", ["拉开电源开关", "用绝缘工具切断电源线", "用干燥木棒挑开电线"],
     ["用手直接拉开触电者"], "救护人不得直接接触触电者。", "触电急救"),
    ("剩余电流动作保护器误动作的原因可能有", ["N线重复接地", "线路绝缘老化漏电", "接线错误"], ["负载电流正常"],
     "N线在保护器后重复接地会造成误动。", "漏电保护器"),
    ("下列场所应安装剩余电流动作保护器的有", ["建筑施工工地的电气设备", "手持式电动工具", "住宅插座回路"],
     ["消防水泵"], "消防设备不应装设切断电源的漏电保护。", "漏电保护器"),
    ("兆欧表使用前应检查", ["开路试验指针指向∞", "短路试验指针指向0"], ["指针是否指在中间"], "开路、短路试验确认表计良好。",
     "电工仪表"),
    ("低压配电系统的接地形式有", ["TN-S系统", "TN-C-S系统", "TT系统", "IT系统"], ["TK系统"], "GB 50054规定。", "接地与接零"),
    ("电工个人防护用品包括", ["安全帽", "绝缘鞋", "工作服"], ["化纤衣服"], "化纤衣物易产生静电、遇电弧燃烧。",
     "个人防护用品"),
]
SHORT = [
    ("简述低压设备停电检修的安全技术措施。", "停电、验电、装设接地线、悬挂标示牌和装设遮栏。", "安全用电基础"),
    ("简述发现有人触电后的现场急救步骤。", "迅速脱离电源；判断意识呼吸；呼救并拨打120；必要时进行心肺复苏，持续至医护人员到达。", "触电急救"),
    ("简述剩余电流动作保护器的工作原理。", "检测线路剩余（漏电）电流，超过额定动作值时在规定时间内自动切断电源。", "漏电保护器"),
]
PRACTICAL = [
    ("单相电能表带照明电路的安装与调试", [("元件布置与接线正确", 40), ("导线选择与工艺规范", 20),
                                      ("通电试验成功", 20), ("安全文明操作", 20)]),
    ("三相异步电动机单向连续运转控制线路接线", [("主电路接线正确", 30), ("控制电路接线正确", 30),
                                          ("通电试车成功", 20), ("安全操作与工具使用", 20)]),
    ("触电事故现场的应急处置（心肺复苏模拟）", [("使触电者脱离电源", 20), ("判断意识与呼吸", 20),
                                         ("胸外按压位置、深度、频率", 40), ("人工呼吸", 20)]),
]
FILL = [
    ("我国规定安全电压额定值的等级为42V、36V、24V、12V和____V。", "6", "安全用电基础"),
    ("测量绝缘电阻应使用____。", "兆欧表|摇表|绝缘电阻表", "电工仪表"),
    ("用于人身防护的剩余电流动作保护器额定动作电流不大于____mA。", "30", "漏电保护器"),
    ("保护接地线（PE线）的颜色为____双色。", "绿/黄|黄绿|绿黄", "接地与接零"),
    ("成人心肺复苏按压与通气之比为____。", "30:2|30∶2", "触电急救"),
]


def _single(rng, stem, correct, pool, explanation, kp, difficulty=2) -> dict:
    distractors = [v for v in dict.fromkeys(pool) if v != correct]
    rng.shuffle(distractors)
    options = [correct, *distractors[:3]]
    rng.shuffle(options)
    return {"kind": "single", "stem": stem, "options": options, "answer": ["ABCDEF"[options.index(correct)]],
            "explanation": explanation, "knowledge_point": kp, "difficulty": difficulty}


def _tf(stem, truth, explanation, kp, difficulty=1) -> dict:
    return {"kind": "true_false", "stem": stem, "options": [], "answer": ["T" if truth else "F"],
            "explanation": explanation, "knowledge_point": kp, "difficulty": difficulty}


def low_voltage_bank(seed: int = 2026) -> list[dict]:
    """About 130 questions of every type, as values for ``Question`` (reproducible)."""
    rng = random.Random(seed)
    out: list[dict] = []
    values = [d for _v, d in SAFETY_DISTANCES]
    for voltage, distance in SAFETY_DISTANCES:
        out.append(_single(rng, f"设备不停电时，{voltage}电压等级的安全距离为（ ）。", distance, values,
                           f"《电力安全工作规程》：{voltage}不小于{distance}。", "安全距离"))
        out.append(_tf(f"{voltage}设备不停电时的安全距离为{distance}。", True, "见安全距离表。", "安全距离"))
    wvalues = [d for _v, d in WORKING_DISTANCES]
    for voltage, distance in WORKING_DISTANCES:
        out.append(_single(rng, f"工作人员工作中正常活动范围与{voltage}设备带电部分的安全距离为（ ）。", distance, wvalues,
                           f"{voltage}为{distance}。", "安全距离", 3))
    vvalues = ["42V", "36V", "24V", "12V", "6V"]
    for place, voltage in SAFE_VOLTAGES:
        out.append(_single(rng, f"{place}，应采用（ ）安全电压。", voltage, vvalues, f"应采用{voltage}。", "安全电压"))
        wrong = rng.choice([v for v in vvalues if v != voltage and v != "42V"])
        out.append(_tf(f"{place}可以采用{wrong}安全电压。", False, f"应采用{voltage}。", "安全电压", 2))
    cvalues = [c for _w, c in WIRE_COLOURS]
    for wire, colour in WIRE_COLOURS:
        out.append(_single(rng, f"按国家标准，三相交流电路中{wire}的颜色为（ ）。", colour, cvalues,
                           f"{wire}用{colour}。", "导线与配线", 1))
    ivalues = [i for _p, i in INSTRUMENTS]
    for purpose, instrument in INSTRUMENTS:
        out.append(_single(rng, f"{purpose}应使用（ ）。", instrument, ivalues, f"{purpose}用{instrument}。", "电工仪表"))
        out.append(_tf(f"{purpose}应使用{instrument}。", True, f"{purpose}用{instrument}。", "电工仪表"))
    pvalues = ["3个月", "6个月", "1年", "2年", "5年"]
    for item, period in PPE_PERIODS:
        out.append(_single(rng, f"{item}的预防性试验周期为（ ）。", period, pvalues, f"{item}试验周期为{period}。",
                           "个人防护用品", 3))
    evalues = ["1Ω", "4Ω", "10Ω", "30Ω", "100Ω"]
    for text, value in EARTHING:
        out.append(_single(rng, f"{text}（ ）。", value, evalues, f"{text}{value}。", "接地与接零"))
        out.append(_tf(f"{text}{value}。", True, "见接地电阻要求。", "接地与接零", 2))
    for text, value in FIRE:
        pool = ["二氧化碳灭火器或干粉灭火器", "泡沫灭火器和水", "切断电源", "呼叫周围人员", "用沙土覆盖"]
        out.append(_single(rng, f"{text}（ ）。", value, pool, f"{text}{value}。", "电气防火"))
    aid_pool = ["使触电者迅速脱离电源", "100～120次", "5～6cm", "30:2", "心肺复苏", "60～80次", "2～3cm", "15:2",
                "立即送医院", "打强心针"]
    for text, value in FIRST_AID:
        same_kind = [v for v in aid_pool if v[-1] == value[-1]]
        if len(same_kind) < 3:
            same_kind += [v for v in aid_pool if v[0].isdigit() == value[0].isdigit() and v not in same_kind]
        out.append(_single(rng, f"{text}（ ）。", value, same_kind, f"{text}{value}。", "触电急救", 2))
        out.append(_tf(f"{text}{value}。", True, "触电急救要点。", "触电急救"))
    rcd_pool = ["30mA", "50mA", "100mA", "0.1s", "0.2s", "0.5s", "一次", "一年一次", "无需检查"]
    for text, value in RCD:
        unit = [v for v in rcd_pool if v[-1] == value[-1]] or rcd_pool
        out.append(_single(rng, f"{text}（ ）。", value, unit if len(unit) > 1 else rcd_pool, f"{text}{value}。",
                           "漏电保护器", 2))
    for stem, truth, explanation in TRUE_FALSE:
        kp = ("触电急救" if "触电" in stem or "按压" in stem else "电工仪表" if "表" in stem else
              "接地与接零" if "接地" in stem or "PE" in stem or "接零" in stem else "安全用电基础")
        out.append(_tf(stem, truth, explanation, kp))
    for stem, right, wrong, explanation, kp in MULTIPLE:
        options = [*right, *wrong]
        rng.shuffle(options)
        out.append({"kind": "multiple", "stem": f"{stem}（ ）。", "options": options,
                    "answer": sorted("ABCDEF"[options.index(r)] for r in right), "explanation": explanation,
                    "knowledge_point": kp, "difficulty": 2})
    for stem, answer, kp in FILL:
        out.append({"kind": "fill", "stem": stem, "options": [], "answer": [answer], "explanation": "",
                    "knowledge_point": kp, "difficulty": 2})
    for stem, answer, kp in SHORT:
        out.append({"kind": "short", "stem": stem, "options": [], "answer": [answer], "explanation": answer,
                    "knowledge_point": kp, "difficulty": 3})
    for stem, items in PRACTICAL:
        out.append({"kind": "practical", "stem": stem, "options": [], "answer": [],
                    "rubric": [{"item": i, "points": p} for i, p in items], "explanation": "",
                    "knowledge_point": "实操", "difficulty": 2})
    return out
