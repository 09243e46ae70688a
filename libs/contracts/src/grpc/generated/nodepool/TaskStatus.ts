// Original file: libs/contracts/proto/nodepool.proto


export interface TaskStatus {
  'task_id'?: (string);
  'status'?: (string);
  'created_at'?: (string);
  'updated_at'?: (string);
  'assigned_node'?: (string);
  /**
   * HiveMind additions
   */
  'name'?: (string);
  'progress'?: (number);
  'shards_total'?: (number);
  'owner'?: (string);
}

export interface TaskStatus__Output {
  'task_id': (string);
  'status': (string);
  'created_at': (string);
  'updated_at': (string);
  'assigned_node': (string);
  /**
   * HiveMind additions
   */
  'name': (string);
  'progress': (number);
  'shards_total': (number);
  'owner': (string);
}
