// Words of the processes (docs/internals/PROCESSES.md): a record's state, transitions and
// process history (src/components/RecordProcess.vue, ProcessHistory.vue; `proc`), and the
// administrators' editor with its diagram (src/views/admin/ProcessesView.vue and process/;
// `admin.processes`, `admin.proc`).
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals.
export default {
  'zh-CN': {
    proc: {
      stateIs: '当前状态：{state}', notYours: '您没有权限执行此操作，或当前条件不满足', final: '当前状态没有后续操作',
      fireTitle: '{label}', fireHint: '状态将从“{from}”变为“{to}”。', comment: '备注', commentHint: '可选：说明原因或补充情况',
      fired: '已{label}，状态变为“{to}”', forbidden: '您不能执行“{label}”：它需要其他角色或负责人来执行。',
      illegal: '“{label}”在当前状态下不可执行，记录可能已被他人推进。已刷新可执行的操作。',
      stale: '记录已被他人修改，已重新加载，请再试一次。', history: '流程记录', noHistory: '还没有流程记录',
    },
    admin: {
      processes: '业务流程',
      proc: {
        intro: '业务流程是一个状态机：记录的某个选项字段作为状态，只能通过这里定义的操作（流转）改变。每个实体最多一个流程。',
        add: '新建流程', none: '还没有流程', key: '标识', keyHint: '字母、数字和下划线，保存后不可修改', entity: '实体',
        label: '名称', labelZh: '名称（中文）', labelEn: '名称（英文）', version: '版本', updated: '更新时间', transitions: '操作',
        nTransitions: '{n} 个操作', stateField: '状态字段', stateFieldHint: '实体的一个单选字段，它的选项就是流程的各个状态',
        initial: '初始状态', pickEntity: '选择实体', pickField: '选择字段', pickState: '选择状态', editTitle: '编辑流程 {key}',
        addTitle: '新建流程', editOf: '编辑流程 {key}', deleteOf: '删除流程 {key}',
        deleteConfirm: '删除流程“{key}”？删除后状态字段成为普通字段，可以直接修改；已有的流程记录保留。',
        back: '返回列表', invalid: '流程定义有误：{field}：{message}', noStateField: '该实体没有单选字段，不能作为流程的状态',
        addTransition: '添加操作', noTransitions: '还没有操作', trKey: '操作标识', trLabel: '操作名称', trLabelZh: '操作名称（中文）',
        trLabelEn: '操作名称（英文）', from: '起始状态', fromAny: '任意状态', to: '目标状态', editTransition: '编辑操作 {key}',
        deleteTransition: '删除操作 {key}', transitionTitle: '操作', newTransition: '新操作', moveUp: '上移操作 {key}',
        who: '谁可以执行', whoHint: '满足任一条规则即可；不填则凡是可以修改记录的人都能执行。', addWho: '添加规则', whoKind: '规则类型',
        whoValue: '规则的值', kinds: { role: '角色', owner: '负责人', superior: '负责人的上级', field: '记录中的用户字段', user: '指定用户', actor: '执行人' },
        guard: '前置条件', guardHint: '执行后的记录必须满足全部条件。金额以元填写。', addGuard: '添加条件', guardField: '条件字段',
        guardOp: '比较方式', guardValue: '比较值', ops: { eq: '等于', ne: '不等于', lt: '小于', lte: '小于等于', gt: '大于', gte: '大于等于', in: '属于', null: '为空', not_null: '不为空' },
        inHint: '多个值用逗号分隔', require: '必填字段', requireHint: '执行时必须有值的字段，会在执行对话框中填写。',
        set: '设置字段', setHint: '执行时自动写入的值（不能设置状态字段）。', addSet: '添加字段', setField: '要设置的字段', setValue: '设置的值',
        share: '共享给', shareHint: '执行后把记录共享给用户字段中的人。', addShare: '添加共享', shareField: '共享的用户字段',
        access: '权限', accessRead: '只读', accessEdit: '可编辑', notify: '通知', notifyHint: '执行后通知这些人（每人一次）。',
        addNotify: '添加通知对象', notifyKind: '通知对象类型', removeRow: '删除这一行', role: '角色', userField: '用户字段',
        userId: '用户', diagram: '流程图', diagramLabel: '流程图：{n} 个状态，{m} 个操作', initialMark: '初始',
        transitionErr: '这个操作有误', keyTaken: '已有同样标识的操作', saveProcess: '保存流程',
      },
    },
  },
  en: {
    proc: {
      stateIs: 'State: {state}', notYours: 'You may not do this, or its conditions are not met', final: 'Nothing further from this state',
      fireTitle: '{label}', fireHint: 'The state goes from “{from}” to “{to}”.', comment: 'Comment', commentHint: 'Optional: why, or what else to know',
      fired: '{label} done: now “{to}”', forbidden: 'You may not “{label}”: another role or person does this.',
      illegal: '“{label}” cannot be done from the current state; somebody may have moved the record on. The actions shown are current again.',
      stale: 'Somebody changed the record meanwhile; it is reloaded, please try again.', history: 'Process history', noHistory: 'No steps yet',
    },
    admin: {
      processes: 'Processes',
      proc: {
        intro: 'A process is a state machine: an option field of the records is their state, and it changes only through the actions (transitions) defined here. An entity has at most one process.',
        add: 'New process', none: 'No processes yet', key: 'Key', keyHint: 'Letters, digits and underscores; fixed once saved', entity: 'Entity',
        label: 'Name', labelZh: 'Name (Chinese)', labelEn: 'Name (English)', version: 'Version', updated: 'Updated', transitions: 'Actions',
        nTransitions: '{n} actions', stateField: 'State field', stateFieldHint: 'An option field of the entity; its options are the states',
        initial: 'Initial state', pickEntity: 'Choose an entity', pickField: 'Choose a field', pickState: 'Choose a state', editTitle: 'Edit process {key}',
        addTitle: 'New process', editOf: 'Edit process {key}', deleteOf: 'Delete process {key}',
        deleteConfirm: 'Delete process “{key}”? Its state field becomes an ordinary field that can be changed directly; the history stays.',
        back: 'Back to the list', invalid: 'The process is not right: {field}: {message}', noStateField: 'This entity has no option field to be the state',
        addTransition: 'Add action', noTransitions: 'No actions yet', trKey: 'Action key', trLabel: 'Action name', trLabelZh: 'Action name (Chinese)',
        trLabelEn: 'Action name (English)', from: 'From', fromAny: 'any state', to: 'To', editTransition: 'Edit action {key}',
        deleteTransition: 'Delete action {key}', transitionTitle: 'Action', newTransition: 'New action', moveUp: 'Move action {key} up',
        who: 'Who may do it', whoHint: 'Any one rule is enough; with none, whoever may change the record may do it.', addWho: 'Add rule', whoKind: 'Kind of rule',
        whoValue: 'Value of the rule', kinds: { role: 'Role', owner: 'Owner', superior: 'Owner’s superior', field: 'A user field of the record', user: 'A user', actor: 'Who does it' },
        guard: 'Conditions', guardHint: 'The record after the action must meet all of them. Amounts in yuan.', addGuard: 'Add condition', guardField: 'Condition field',
        guardOp: 'Comparison', guardValue: 'Value compared', ops: { eq: 'equals', ne: 'differs from', lt: 'less than', lte: 'at most', gt: 'more than', gte: 'at least', in: 'one of', null: 'is empty', not_null: 'is not empty' },
        inHint: 'Separate values with commas', require: 'Required fields', requireHint: 'Fields that must hold a value; asked for when the action is done.',
        set: 'Set fields', setHint: 'Values the action writes (not the state field).', addSet: 'Add field', setField: 'Field to set', setValue: 'Value set',
        share: 'Share with', shareHint: 'Afterwards the record is shared with the person a user field names.', addShare: 'Add share', shareField: 'User field to share with',
        access: 'Access', accessRead: 'Read', accessEdit: 'Edit', notify: 'Tell', notifyHint: 'Who is told afterwards (each person once).',
        addNotify: 'Add whom to tell', notifyKind: 'Kind of addressee', removeRow: 'Remove this row', role: 'Role', userField: 'User field',
        userId: 'User', diagram: 'Diagram', diagramLabel: 'Process diagram: {n} states, {m} actions', initialMark: 'initial',
        transitionErr: 'This action is not right', keyTaken: 'Another action has this key', saveProcess: 'Save process',
      },
    },
  },
};
