// Original file: libs/contracts/proto/nodepool.proto


export interface TaskStatus {
  'task_id'?: (string);
  'status'?: (string);
  'created_at'?: (string);
  'updated_at'?: (string);
  'assigned_node'?: (string);
}

export interface TaskStatus__Output {
  'task_id': (string);
  'status': (string);
  'created_at': (string);
  'updated_at': (string);
  'assigned_node': (string);
}
